CREATE TABLE `account_settings` (
	`account_id` integer PRIMARY KEY NOT NULL,
	`window_start` text,
	`window_end` text,
	`window_days` text,
	`publisher` text DEFAULT 'manual' NOT NULL,
	`publisher_url` text,
	`publisher_secret` text,
	FOREIGN KEY (`account_id`) REFERENCES `accounts`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `citations` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`post_id` text NOT NULL,
	`version_id` integer NOT NULL,
	`policy_id` integer NOT NULL,
	`kind` text NOT NULL,
	`start` integer NOT NULL,
	`end` integer NOT NULL,
	`text` text NOT NULL,
	FOREIGN KEY (`post_id`) REFERENCES `posts`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`version_id`) REFERENCES `post_versions`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`policy_id`) REFERENCES `policies`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `citations_unique` ON `citations` (`version_id`,`policy_id`,`start`);--> statement-breakpoint
CREATE INDEX `citations_policy` ON `citations` (`policy_id`);--> statement-breakpoint
CREATE TABLE `cleanup_batches` (
	`run_id` integer NOT NULL,
	`seq` integer NOT NULL,
	`from_id` integer NOT NULL,
	`to_id` integer NOT NULL,
	`state` text DEFAULT 'pending' NOT NULL,
	FOREIGN KEY (`run_id`) REFERENCES `cleanup_runs`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `cleanup_batches_pk` ON `cleanup_batches` (`run_id`,`seq`);--> statement-breakpoint
CREATE TABLE `cleanup_runs` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`trigger` text NOT NULL,
	`checks` text NOT NULL,
	`as_of` text NOT NULL,
	`state` text DEFAULT 'running' NOT NULL,
	`total_batches` integer NOT NULL,
	`done_batches` integer DEFAULT 0 NOT NULL,
	`total_posts` integer NOT NULL,
	`opened` integer DEFAULT 0 NOT NULL,
	`closed` integer DEFAULT 0 NOT NULL,
	`started_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL,
	`finished_at` text
);
--> statement-breakpoint
CREATE TABLE `cleanup_tasks` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`post_id` text NOT NULL,
	`version_id` integer NOT NULL,
	`kind` text NOT NULL,
	`key` text NOT NULL,
	`detail` text NOT NULL,
	`recommended_action` text NOT NULL,
	`state` text DEFAULT 'open' NOT NULL,
	`decision` text,
	`decided_by` integer,
	`reason` text,
	`run_id` integer,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL,
	`closed_at` text,
	FOREIGN KEY (`post_id`) REFERENCES `posts`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`version_id`) REFERENCES `post_versions`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`decided_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `cleanup_tasks_post` ON `cleanup_tasks` (`post_id`,`state`);--> statement-breakpoint
CREATE UNIQUE INDEX `cleanup_tasks_open_once` ON `cleanup_tasks` (`post_id`,`kind`,`key`) WHERE state = 'open';--> statement-breakpoint
CREATE TABLE `freshness_alerts` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`account_id` integer NOT NULL,
	`level` text NOT NULL,
	`since` text NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL,
	FOREIGN KEY (`account_id`) REFERENCES `accounts`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `freshness_alerts_once` ON `freshness_alerts` (`account_id`,`level`,`since`);--> statement-breakpoint
CREATE TABLE `link_allowlist` (
	`domain` text PRIMARY KEY NOT NULL
);
--> statement-breakpoint
CREATE TABLE `policies` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`doc_no` text,
	`title` text NOT NULL,
	`issued_at` text,
	`status` text NOT NULL,
	`replaced_by` text,
	`updated_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `policies_doc_no_unique` ON `policies` (`doc_no`);--> statement-breakpoint
CREATE INDEX `policies_title` ON `policies` (`title`);--> statement-breakpoint
CREATE TABLE `schedules` (
	`post_id` text PRIMARY KEY NOT NULL,
	`version_id` integer NOT NULL,
	`publish_at` text NOT NULL,
	`embargo_until` text,
	`override_reason` text,
	`scheduled_by` integer NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL,
	FOREIGN KEY (`post_id`) REFERENCES `posts`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`version_id`) REFERENCES `post_versions`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`scheduled_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
