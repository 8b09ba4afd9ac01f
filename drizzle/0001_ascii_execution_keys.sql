ALTER TABLE `executions`
	MODIFY COLUMN `id` char(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
	MODIFY COLUMN `worker_id` varchar(128) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
	MODIFY COLUMN `trigger` varchar(16) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
	MODIFY COLUMN `status` varchar(16) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
	MODIFY COLUMN `parent_execution_id` char(36) CHARACTER SET ascii COLLATE ascii_bin;
