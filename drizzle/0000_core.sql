CREATE TABLE `execution_logs` (
	`id` bigint unsigned AUTO_INCREMENT NOT NULL,
	`execution_id` char(36),
	`worker_id` varchar(128),
	`level` varchar(10) NOT NULL,
	`message` text NOT NULL,
	`meta` json,
	`ts` datetime(3) NOT NULL,
	CONSTRAINT `execution_logs_id` PRIMARY KEY(`id`)
);
--> statement-breakpoint
CREATE TABLE `executions` (
	`id` char(36) NOT NULL,
	`worker_id` varchar(128) NOT NULL,
	`trigger` varchar(16) NOT NULL,
	`params` json,
	`status` varchar(16) NOT NULL,
	`attempt` int NOT NULL DEFAULT 0,
	`progress` json,
	`result` json,
	`error` text,
	`job_id` varchar(255),
	`parent_execution_id` char(36),
	`fence` bigint NOT NULL DEFAULT 0,
	`rev` bigint NOT NULL DEFAULT 0,
	`queued_at` datetime(3) NOT NULL,
	`started_at` datetime(3),
	`finished_at` datetime(3),
	`duration_ms` int,
	CONSTRAINT `executions_id` PRIMARY KEY(`id`)
);
--> statement-breakpoint
CREATE TABLE `worker_configs` (
	`id` bigint unsigned AUTO_INCREMENT NOT NULL,
	`worker_id` varchar(128),
	`scope` varchar(128) GENERATED ALWAYS AS (ifnull(worker_id, '')) STORED,
	`key` varchar(191) NOT NULL,
	`value` json NOT NULL,
	`updated_at` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	CONSTRAINT `worker_configs_id` PRIMARY KEY(`id`),
	CONSTRAINT `worker_configs_scope_key` UNIQUE(`scope`,`key`)
);
--> statement-breakpoint
CREATE TABLE `worker_status` (
	`worker_id` varchar(128) NOT NULL,
	`state` varchar(32) NOT NULL,
	`last_execution_id` char(36),
	`last_started_at` datetime(3),
	`last_finished_at` datetime(3),
	`last_result` json,
	`last_error` text,
	`consecutive_failures` int,
	`updated_at` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	CONSTRAINT `worker_status_worker_id` PRIMARY KEY(`worker_id`)
);
--> statement-breakpoint
CREATE TABLE `workers` (
	`id` varchar(128) NOT NULL,
	`kind` varchar(16) NOT NULL,
	`description` text,
	`cron` varchar(128),
	`timezone` varchar(64),
	`enabled` boolean NOT NULL DEFAULT true,
	`code_cron` varchar(128),
	`code_timezone` varchar(64),
	`code_enabled` boolean NOT NULL DEFAULT true,
	`source_file` varchar(512) NOT NULL,
	`options` json,
	`created_at` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	`updated_at` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	CONSTRAINT `workers_id` PRIMARY KEY(`id`)
);
--> statement-breakpoint
CREATE INDEX `execution_logs_execution` ON `execution_logs` (`execution_id`,`id`);--> statement-breakpoint
CREATE INDEX `execution_logs_worker_ts` ON `execution_logs` (`worker_id`,`ts`);--> statement-breakpoint
CREATE INDEX `execution_logs_ts` ON `execution_logs` (`ts`);--> statement-breakpoint
CREATE INDEX `executions_worker_queued` ON `executions` (`worker_id`,`queued_at`);--> statement-breakpoint
CREATE INDEX `executions_status` ON `executions` (`status`);--> statement-breakpoint
CREATE INDEX `executions_worker_id` ON `executions` (`worker_id`,`id`);--> statement-breakpoint
CREATE INDEX `worker_configs_worker` ON `worker_configs` (`worker_id`);