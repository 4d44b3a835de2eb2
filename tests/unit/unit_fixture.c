/*
 * The data-dir fixture shared by the db and bus tests (see unit_fixture.h).
 */
#include <criterion/criterion.h>

#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "core/core_config.h"
#include "core/core_db.h"
#include "tests/unit/unit_fixture.h"

static char	unit_dir[64];

static int	unit_rm(const char *, const struct stat *, int, struct FTW *);
static void	unit_rm_dir(void);

void
unit_data_setup(void)
{
	int	fd;

	snprintf(unit_dir, sizeof(unit_dir), "/tmp/mercato-unit-XXXXXX");
	cr_assert_not_null(mkdtemp(unit_dir), "mkdtemp");
	snprintf(core_config.data, sizeof(core_config.data), "%s", unit_dir);
	/* A test that ends in exit() (fatal paths) skips .fini. */
	cr_assert_eq(atexit(unit_rm_dir), 0);
	if (getenv("MERCATO_UNIT_LOG") == NULL &&
	    (fd = open("/dev/null", O_WRONLY)) != -1) {
		(void)dup2(fd, STDOUT_FILENO);
		(void)close(fd);
	}
}

static int
unit_rm(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)remove(path);
	return (0);
}

static void
unit_rm_dir(void)
{
	if (unit_dir[0] != '\0')
		(void)nftw(unit_dir, unit_rm, 16, FTW_DEPTH | FTW_PHYS);
	unit_dir[0] = '\0';
}

void
unit_data_teardown(void)
{
	core_db_close_all();
	unit_rm_dir();
}

const char *
unit_data_dir(void)
{
	return (unit_dir);
}
