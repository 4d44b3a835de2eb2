-- CSV imports run as background jobs.  The file is kept with the job until
-- it is finished, so a job cut short by a crash resumes at restart from
-- the last product it committed.
CREATE TABLE import_jobs (
	id		TEXT PRIMARY KEY,			-- imp_...
	state		TEXT NOT NULL CHECK (state IN ('queued', 'running',
			    'done', 'failed')),
	dry_run		INTEGER NOT NULL DEFAULT 0,
	filename	TEXT NOT NULL DEFAULT '',
	data		BLOB,					-- NULL once done
	rows_total	INTEGER NOT NULL DEFAULT 0,
	rows_done	INTEGER NOT NULL DEFAULT 0,
	errors_count	INTEGER NOT NULL DEFAULT 0,
	errors		TEXT NOT NULL DEFAULT '[]',		-- [{line, reason}]
	summary		TEXT NOT NULL DEFAULT '{}',		-- counts when done
	created_by	TEXT NOT NULL DEFAULT '',
	created_at	INTEGER NOT NULL,
	updated_at	INTEGER NOT NULL,
	finished_at	INTEGER
);
CREATE INDEX import_jobs_created ON import_jobs(created_at);
