CREATE TABLE `account` (
	`id` bigint unsigned AUTO_INCREMENT NOT NULL,
	`account_no` varchar(32) NOT NULL,
	`accounting_type` char(2) NOT NULL,
	`partition_id` smallint unsigned NOT NULL,
	CONSTRAINT `account_id` PRIMARY KEY(`id`),
	CONSTRAINT `account_no_uq` UNIQUE(`account_no`)
);
--> statement-breakpoint
CREATE TABLE `balance_batch` (
	`job_id` bigint unsigned NOT NULL,
	`partition_id` smallint unsigned NOT NULL,
	`seq` int unsigned NOT NULL,
	`from_id` bigint unsigned NOT NULL,
	`to_id` bigint unsigned NOT NULL,
	`accounts` int unsigned NOT NULL,
	`status` varchar(16) NOT NULL DEFAULT 'pending',
	`retries` int unsigned NOT NULL DEFAULT 0,
	`error` text,
	`updated_at` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	CONSTRAINT `balance_batch_pk` PRIMARY KEY(`job_id`,`partition_id`,`seq`)
);
--> statement-breakpoint
CREATE TABLE `balance_job` (
	`id` bigint unsigned AUTO_INCREMENT NOT NULL,
	`request_id` varchar(64) NOT NULL,
	`balance_date` date NOT NULL,
	`status` varchar(32) NOT NULL,
	`partitions` int unsigned,
	`partitions_scanned` int unsigned NOT NULL DEFAULT 0,
	`total_batches` int unsigned NOT NULL DEFAULT 0,
	`batches_succeeded` int unsigned NOT NULL DEFAULT 0,
	`batches_failed` int unsigned NOT NULL DEFAULT 0,
	`accounts` int unsigned NOT NULL DEFAULT 0,
	`error` text,
	`created_at` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	`started_at` datetime(3),
	`finished_at` datetime(3),
	CONSTRAINT `balance_job_id` PRIMARY KEY(`id`),
	CONSTRAINT `balance_job_request_uq` UNIQUE(`request_id`)
);
--> statement-breakpoint
CREATE TABLE `balance_partition` (
	`job_id` bigint unsigned NOT NULL,
	`partition_id` smallint unsigned NOT NULL,
	`max_id` bigint unsigned NOT NULL,
	`accounts` int unsigned NOT NULL,
	`batches` int unsigned,
	CONSTRAINT `balance_partition_pk` PRIMARY KEY(`job_id`,`partition_id`)
);
--> statement-breakpoint
CREATE TABLE `daily_balance` (
	`account_no` varchar(32) NOT NULL,
	`balance_date` date NOT NULL,
	`open` decimal(20,2) NOT NULL,
	`close` decimal(20,2) NOT NULL,
	`debit_amount` decimal(20,2) NOT NULL,
	`credit_amount` decimal(20,2) NOT NULL,
	`debit_count` int unsigned NOT NULL,
	`credit_count` int unsigned NOT NULL,
	CONSTRAINT `daily_balance_pk` PRIMARY KEY(`account_no`,`balance_date`)
);
--> statement-breakpoint
CREATE TABLE `entry` (
	`entry_id` bigint unsigned AUTO_INCREMENT NOT NULL,
	`transaction_id` varchar(64) NOT NULL,
	`account_no` varchar(32) NOT NULL,
	`amount` decimal(20,2) NOT NULL,
	`sign` char(2) NOT NULL,
	`account_category` varchar(16),
	`currency` char(3) NOT NULL,
	`status` varchar(16) NOT NULL,
	`company_code` varchar(32),
	`created_date` datetime(3) NOT NULL,
	`processing_date` datetime(3) NOT NULL,
	CONSTRAINT `entry_entry_id` PRIMARY KEY(`entry_id`)
);
--> statement-breakpoint
CREATE INDEX `account_partition_idx` ON `account` (`partition_id`);--> statement-breakpoint
CREATE INDEX `balance_batch_status_idx` ON `balance_batch` (`job_id`,`status`);--> statement-breakpoint
CREATE INDEX `balance_job_date_idx` ON `balance_job` (`balance_date`,`id`);--> statement-breakpoint
CREATE INDEX `entry_account_date_idx` ON `entry` (`account_no`,`processing_date`,`sign`,`amount`);