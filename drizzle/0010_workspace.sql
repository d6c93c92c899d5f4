CREATE TABLE `sessions` (
	`id_hash` text PRIMARY KEY NOT NULL,
	`user_id` integer NOT NULL,
	`created_at` text NOT NULL,
	`expires_at` text NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `sessions_user` ON `sessions` (`user_id`);--> statement-breakpoint
ALTER TABLE `accounts` ADD `joined_at` text;--> statement-breakpoint
ALTER TABLE `accounts` ADD `retired_at` text;--> statement-breakpoint
ALTER TABLE `users` ADD `token_expires_at` text;--> statement-breakpoint
-- Accounts that existed before this migration count as joining the matrix now.
UPDATE `accounts` SET `joined_at` = strftime('%Y-%m-%dT%H:%M:%fZ','now') WHERE `joined_at` IS NULL;