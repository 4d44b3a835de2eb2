/*
 * Shared fixture of the unit tests that touch SQLite: a fresh data dir per
 * test, set as core_config.data, and removed afterwards.  Criterion runs
 * each test in its own process, so core's globals start clean every time.
 */
#ifndef UNIT_FIXTURE_H
#define UNIT_FIXTURE_H

/*
 * Creates /tmp/mercato-unit-XXXXXX, points core_config.data at it and sends
 * core's JSON log lines (stdout) to /dev/null unless MERCATO_UNIT_LOG is
 * set.  Aborts the test if the dir cannot be made.
 */
void		 unit_data_setup(void);

/* core_db_close_all(), then removes the data dir and everything in it. */
void		 unit_data_teardown(void);

/* The data dir of the running test.  Borrowed; valid until teardown. */
const char	*unit_data_dir(void);

#endif
