CREATE TABLE `audit_log` (
	`id` bigint unsigned AUTO_INCREMENT NOT NULL,
	`ts` datetime(3) NOT NULL,
	`token_name` varchar(128) NOT NULL,
	`role` varchar(16) NOT NULL,
	`method` varchar(8) NOT NULL,
	`route` varchar(255) NOT NULL,
	`url` varchar(1024) NOT NULL,
	`worker_id` varchar(128),
	`status_code` int NOT NULL,
	`change` json,
	CONSTRAINT `audit_log_id` PRIMARY KEY(`id`)
);
--> statement-breakpoint
CREATE TABLE `execution_stats_hourly` (
	`worker_id` varchar(128) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
	`hour` datetime NOT NULL,
	`metric` char(1) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
	`status` varchar(16) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
	`n` int NOT NULL,
	`bins` text NOT NULL,
	CONSTRAINT `execution_stats_hourly_worker_id_hour_metric_status_pk` PRIMARY KEY(`worker_id`,`hour`,`metric`,`status`)
);
--> statement-breakpoint
CREATE TABLE `execution_stats_hours` (
	`worker_id` varchar(128) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
	`hour` datetime NOT NULL,
	`sealed_at` datetime(3) NOT NULL,
	CONSTRAINT `execution_stats_hours_worker_id_hour_pk` PRIMARY KEY(`worker_id`,`hour`)
);
--> statement-breakpoint
DROP INDEX `executions_worker_queued` ON `executions`;--> statement-breakpoint
ALTER TABLE `executions` ADD `triggered_by` varchar(128);--> statement-breakpoint
ALTER TABLE `executions` ADD `retried_as` char(36) CHARACTER SET ascii COLLATE ascii_bin;--> statement-breakpoint
CREATE INDEX `audit_log_ts` ON `audit_log` (`ts`);--> statement-breakpoint
CREATE INDEX `audit_log_token_ts` ON `audit_log` (`token_name`,`ts`);--> statement-breakpoint
CREATE INDEX `audit_log_worker_ts` ON `audit_log` (`worker_id`,`ts`);--> statement-breakpoint
CREATE INDEX `executions_worker_queued_stats` ON `executions` (`worker_id`,`queued_at`,`status`,`duration_ms`,`started_at`);