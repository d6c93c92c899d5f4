ALTER TABLE `publications` ADD `account_id` integer REFERENCES accounts(id);--> statement-breakpoint
UPDATE `publications` SET `account_id` = (SELECT `account_id` FROM `posts` WHERE `posts`.`id` = `publications`.`post_id`);--> statement-breakpoint
CREATE INDEX `publications_post` ON `publications` (`post_id`);--> statement-breakpoint
CREATE INDEX `publications_account_time` ON `publications` (`account_id`,`published_at`);--> statement-breakpoint
CREATE INDEX `posts_status` ON `posts` (`status`);