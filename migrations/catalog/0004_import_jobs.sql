-- CSV imports run as background jobs.  The file is kept with the job until
-- it is finished (import_job_files), so a job cut short by a crash resumes
-- at restart from the last product it committed: each product's
-- transaction also moves products_done (compared and set, so no product
-- is written twice) and the counters, and renews the lease of the one
-- process working on it.
CREATE TABLE import_jobs (
	id		TEXT PRIMARY KEY,			-- imp_...
	state		TEXT NOT NULL CHECK (state IN ('queued', 'running',
			    'done', 'failed')),
	filename	TEXT NOT NULL DEFAULT '',
	rows_total	INTEGER NOT NULL DEFAULT 0,
	rows_done	INTEGER NOT NULL DEFAULT 0,
	products_total	INTEGER NOT NULL DEFAULT 0,
	products_done	INTEGER NOT NULL DEFAULT 0,		-- in file order
	created		INTEGER NOT NULL DEFAULT 0,
	updated		INTEGER NOT NULL DEFAULT 0,
	errors_count	INTEGER NOT NULL DEFAULT 0,
	failure		TEXT NOT NULL DEFAULT '',		-- why it failed
	lease_owner	TEXT NOT NULL DEFAULT '',		-- a process's token
	lease_until	INTEGER NOT NULL DEFAULT 0,		-- ms since the epoch
	created_by	TEXT NOT NULL DEFAULT '',
	request_id	TEXT NOT NULL DEFAULT '',		-- events' correlation
	created_at	INTEGER NOT NULL,
	updated_at	INTEGER NOT NULL,
	finished_at	INTEGER
);
CREATE INDEX import_jobs_created ON import_jobs(created_at);
CREATE INDEX import_jobs_open ON import_jobs(state, created_at)
    WHERE state IN ('queued', 'running');

-- The row errors of a job, written with the product they belong to (the
-- first 1000; errors_count counts them all).
CREATE TABLE import_job_errors (
	job		TEXT NOT NULL REFERENCES import_jobs(id)
			    ON DELETE CASCADE,
	n		INTEGER NOT NULL,			-- 0, 1, ... in order
	line		INTEGER NOT NULL,
	handle		TEXT NOT NULL DEFAULT '',
	field		TEXT,
	message		TEXT NOT NULL,
	PRIMARY KEY (job, n)
) WITHOUT ROWID;

-- The file of an unfinished job, apart from the job's row: that row is
-- rewritten with every product, the file (up to 10 MiB) must not be.
CREATE TABLE import_job_files (
	job		TEXT PRIMARY KEY REFERENCES import_jobs(id)
			    ON DELETE CASCADE,
	data		BLOB NOT NULL
);
