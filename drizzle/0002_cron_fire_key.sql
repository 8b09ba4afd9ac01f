CREATE TABLE `cron_fires` (
	`worker_id` varchar(128) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
	`fire_at` datetime(3) NOT NULL,
	`execution_id` char(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
	`job_created_at` bigint NOT NULL,
	`claimed_at` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	CONSTRAINT `cron_fires_worker_id_fire_at_pk` PRIMARY KEY(`worker_id`,`fire_at`)
);
