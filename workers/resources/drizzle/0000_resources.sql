CREATE TABLE `resource_versions` (
	`name` varchar(64) NOT NULL,
	`version` int unsigned NOT NULL,
	`hash` char(64) NOT NULL,
	`rows` int unsigned NOT NULL,
	`bytes` int unsigned NOT NULL,
	`compressed_bytes` int unsigned NOT NULL,
	`updated_at` datetime(3) NOT NULL,
	`bumped_by` varchar(128) NOT NULL,
	CONSTRAINT `resource_versions_name` PRIMARY KEY(`name`)
);
--> statement-breakpoint
CREATE TABLE `staff` (
	`id` int unsigned NOT NULL,
	`code` varchar(16) NOT NULL,
	`full_name` varchar(128) NOT NULL,
	`email` varchar(128) NOT NULL,
	`role` varchar(32) NOT NULL,
	`store_id` int unsigned NOT NULL,
	`active` boolean NOT NULL,
	CONSTRAINT `staff_id` PRIMARY KEY(`id`),
	CONSTRAINT `staff_code_uq` UNIQUE(`code`)
);
--> statement-breakpoint
CREATE TABLE `store` (
	`id` int unsigned NOT NULL,
	`code` varchar(16) NOT NULL,
	`name` varchar(128) NOT NULL,
	`city` varchar(64) NOT NULL,
	`warehouse_id` int unsigned NOT NULL,
	CONSTRAINT `store_id` PRIMARY KEY(`id`),
	CONSTRAINT `store_code_uq` UNIQUE(`code`)
);
--> statement-breakpoint
CREATE TABLE `warehouse` (
	`id` int unsigned NOT NULL,
	`code` varchar(16) NOT NULL,
	`name` varchar(128) NOT NULL,
	`city` varchar(64) NOT NULL,
	`capacity` int unsigned NOT NULL,
	CONSTRAINT `warehouse_id` PRIMARY KEY(`id`),
	CONSTRAINT `warehouse_code_uq` UNIQUE(`code`)
);
--> statement-breakpoint
CREATE INDEX `staff_store_idx` ON `staff` (`store_id`);