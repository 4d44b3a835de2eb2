/*
 * The mercato binary: command line, start-up and Kore's hooks.
 *
 * Kore calls kore_parent_configure first, before it parses the embedded
 * kore.conf.  Commands other than "serve" run and exit there.  For "serve"
 * the parent creates the data dir, the signing key, migrates every file,
 * seeds a first start, creates the listener, parses kore.conf itself and
 * then applies the environment and flags on top.  Each worker opens its own
 * SQLite handles in kore_worker_configure (handles must not cross fork) and
 * closes them in kore_worker_teardown.
 */
#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <signal.h>
#include <pwd.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <kore/kore.h>
#include <kore/seccomp.h>
#include <kore/http.h>

#include "core/core_auth.h"
#include "core/core_bus.h"
#include "core/core_config.h"
#include "core/core_db.h"
#include "core/core_id.h"
#include "core/core_int.h"
#include "core/core_log.h"
#include "core/core_module.h"

#define MERCATO_VERSION		"0.1.0"
#define BUS_SWEEP_MS		250
#define LOG_FLUSH_MS		100
#define DRAIN_CHECK_MS		20
#define DRAIN_MAX_MS		5000

void	kore_parent_configure(int, char **);
void	kore_worker_configure(void);
void	kore_worker_teardown(void);
void	kore_parent_teardown(void);

static void	main_usage(FILE *);
static int	main_flags(int, char **, int, char **, size_t);
static int	main_open_all(int, int);
static int	main_first_admin(void);
static void	main_serve(void);
static void	main_chown_data(const char *);
static void	main_log_flush(void *, u_int64_t);
static void	main_routes(void);
static int	main_module_command(int, char **);
static void	main_on_signal(int);
static void	main_drain_check(void *, u_int64_t);

static FILE	*main_kore_out;

/* Set by SIGTERM/SIGINT/SIGQUIT in a worker: finish, then stop. */
static volatile sig_atomic_t	main_draining;
static u_int64_t		main_drain_deadline;

static void
main_usage(FILE *fp)
{
	const struct core_command	*c;
	const char			*header;
	int				 i;

	fprintf(fp,
	    "usage: mercato [command] [flags]\n"
	    "\n"
	    "commands:\n"
	    "  serve                   run the shop in the foreground (default)\n"
	    "  migrate                 create or migrate every data file, then exit\n"
	    "  backup DIR              consistent online copy of every data file\n"
	    "  admin create --email E  add an admin (password from\n"
	    "                          MERCATO_ADMIN_PASSWORD or standard input)\n"
	    "  replay MODULE           rebuild MODULE's read models from the event logs\n"
	    "  routes                  list the HTTP routes (method, path, access)\n"
	    "  version                 print the version\n"
	    "  help                    print this help\n"
	    "\n"
	    "flags (override MERCATO_* environment variables):\n"
	    "  --data DIR      data dir (MERCATO_DATA, default ./data)\n"
	    "  --bind ADDR     listen address (MERCATO_BIND, default 127.0.0.1)\n"
	    "  --port N        listen port (MERCATO_PORT, default 8080)\n"
	    "  --workers N     worker processes (MERCATO_WORKERS, default kore.conf)\n"
	    "  --user NAME     run workers as NAME (MERCATO_USER; needs root)\n");
	header = "\nmodule commands:\n";
	for (i = 0; core_modules[i] != NULL; i++) {
		for (c = core_modules[i]->commands; c != NULL && c->verb != NULL;
		    c++) {
			fprintf(fp, "%s  %s\n", header, c->usage);
			header = "";
		}
	}
}

/*
 * Applies --flags from argv[from..] to core_config; a flag --email goes to
 * email when emailbuf is given.  Returns the index of the first argument
 * that is not a flag, or -1 (after printing usage) on a bad flag.
 */
static int
main_flags(int argc, char **argv, int from, char **positional, size_t npos)
{
	struct {
		const char	*name;
		char		*dst;
		size_t		 len;
	} strs[] = {
		{ "--data", core_config.data, sizeof(core_config.data) },
		{ "--bind", core_config.bind, sizeof(core_config.bind) },
		{ "--port", core_config.port, sizeof(core_config.port) },
		{ "--user", core_config.user, sizeof(core_config.user) },
	};
	size_t	 i, np;
	int	 a, n, ok;

	np = 0;
	for (a = from; a < argc; a++) {
		if (strncmp(argv[a], "--", 2) != 0) {
			if (np == npos)
				goto bad;
			positional[np++] = argv[a];
			continue;
		}
		if (a + 1 >= argc)
			goto bad;
		for (i = 0; i < sizeof(strs) / sizeof(strs[0]); i++) {
			if (strcmp(argv[a], strs[i].name) != 0)
				continue;
			if (strlen(argv[a + 1]) >= strs[i].len)
				goto bad;
			snprintf(strs[i].dst, strs[i].len, "%s", argv[++a]);
			break;
		}
		if (i < sizeof(strs) / sizeof(strs[0]))
			continue;
		if (strcmp(argv[a], "--workers") == 0) {
			n = (int)kore_strtonum(argv[++a], 10, 1, 64, &ok);
			if (ok != KORE_RESULT_OK)
				goto bad;
			core_config.workers = n;
		} else if (strcmp(argv[a], "--email") == 0 && npos > 0 &&
		    positional[npos - 1] == NULL) {
			/* the caller reserved the last slot for --email */
			positional[npos - 1] = argv[++a];
		} else {
			goto bad;
		}
	}
	return ((int)np);
bad:
	fprintf(stderr, "mercato: bad argument '%s'\n", argv[a < argc ? a :
	    argc - 1]);
	main_usage(stderr);
	exit(2);
}

/* Opens (and with migrate, creates and migrates) every data file. */
static int
main_open_all(int migrate, int run_init)
{
	const struct core_module	*m;
	sqlite3				*db;
	int				 i;

	if (core_db_open("identity", 1, migrate) == NULL)
		return (-1);
	for (i = 0; (m = core_modules[i]) != NULL; i++) {
		if ((db = core_db_open(m->name, m->sync_full, migrate)) == NULL)
			return (-1);
		if (run_init && m->init != NULL && m->init(db) == -1) {
			core_logf("error", "module %s: init failed", m->name);
			return (-1);
		}
	}
	return (0);
}

/* Seeds demo data for modules whose file was just created. */
static int
main_seed(void)
{
	const struct core_module	*m;
	sqlite3				*db;
	int				 i;

	for (i = 0; (m = core_modules[i]) != NULL; i++) {
		if (m->seed == NULL || !core_db_created(m->name))
			continue;
		db = core_db_get(m->name);
		if (core_db_begin(db) == -1)
			return (-1);
		if (m->seed(db) == -1) {
			core_db_rollback(db);
			core_logf("error", "module %s: seeding failed", m->name);
			return (-1);
		}
		if (core_db_commit(db) == -1)
			return (-1);
		core_logf("info", "module %s: demo data seeded", m->name);
	}
	return (0);
}

/* Creates the first admin when there is none, and says how to sign in. */
static int
main_first_admin(void)
{
	static const char	 alpha[] = "abcdefghjkmnpqrstuvwxyz"
	    "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
	sqlite3_stmt		*st;
	const char		*email, *pw;
	char			 gen[21];
	int			 have, i;

	st = core_db_stmt(core_db_get("identity"),
	    "SELECT count(*) FROM users WHERE role = 'admin'");
	if (st == NULL)
		return (-1);
	have = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
	sqlite3_reset(st);
	if (have > 0)
		return (0);
	if ((email = getenv("MERCATO_ADMIN_EMAIL")) == NULL || *email == '\0')
		email = "admin@example.com";
	if ((pw = getenv("MERCATO_ADMIN_PASSWORD")) == NULL || *pw == '\0') {
		for (i = 0; i < (int)sizeof(gen) - 1; i++)
			gen[i] = alpha[randombytes_uniform(sizeof(alpha) - 1)];
		gen[sizeof(gen) - 1] = '\0';
		pw = gen;
	}
	if (core_identity_seed_admin(email, pw, 0) == -1)
		return (-1);
	fprintf(stderr,
	    "\n"
	    "  mercato is ready for its first sign-in (shown once):\n"
	    "    admin:    http://%s:%s/admin/\n"
	    "    email:    %s\n"
	    "    password: %s\n"
	    "  API docs:   http://%s:%s/api/docs\n\n",
	    core_config.bind, core_config.port, email,
	    pw == gen ? gen : "(from MERCATO_ADMIN_PASSWORD)",
	    core_config.bind, core_config.port);
	sodium_memzero(gen, sizeof(gen));
	return (0);
}

/* Gives the data dir and its files to the worker user. */
static void
main_chown_data(const char *user)
{
	struct passwd	*pw;
	char		 path[1200];
	const char	*sfx[] = { "", "-wal", "-shm" };
	int		 i;
	size_t		 j;

	if ((pw = getpwnam(user)) == NULL) {
		fprintf(stderr, "mercato: no such user '%s'\n", user);
		exit(1);
	}
	if (chown(core_config.data, pw->pw_uid, pw->pw_gid) == -1) {
		fprintf(stderr, "mercato: chown %s: %s\n", core_config.data,
		    strerror(errno));
		exit(1);
	}
	for (i = 0; core_db_name_at(i) != NULL; i++) {
		for (j = 0; j < sizeof(sfx) / sizeof(sfx[0]); j++) {
			if (core_db_path(path, sizeof(path) - 8,
			    core_db_name_at(i)) == -1)
				continue;
			strcat(path, sfx[j]);
			(void)chown(path, pw->pw_uid, pw->pw_gid);
		}
	}
}

static void
main_serve(void)
{
	struct kore_server	*srv;
	char			 pidfile[1100];

	/*
	 * stdout carries our JSON lines only (written with write(2) to fd 1).
	 * Kore prints its own plain-text lines with printf; point the stdio
	 * stream at stderr so they never mix into the JSON log.
	 */
	fflush(stdout);
	if ((main_kore_out = fdopen(dup(STDERR_FILENO), "w")) != NULL) {
		setvbuf(main_kore_out, NULL, _IOLBF, 0);
		stdout = main_kore_out;
	}
	if (mkdir(core_config.data, 0700) == -1 && errno != EEXIST) {
		fprintf(stderr, "mercato: cannot create data dir %s: %s\n",
		    core_config.data, strerror(errno));
		exit(1);
	}
	/* Listen first: a taken port must not cost the first password. */
	srv = kore_server_create("app");
	srv->tls = 0;
	if (!kore_server_bind(srv, core_config.bind, core_config.port, NULL)) {
		fprintf(stderr, "mercato: cannot listen on %s:%s: %s\n",
		    core_config.bind, core_config.port, strerror(errno));
		exit(1);
	}
	kore_server_finalize(srv);
	if (core_config_load_key() == -1 || main_open_all(1, 0) == -1 ||
	    main_first_admin() == -1 || (core_config.seed && main_seed() == -1))
		exit(1);
	if (core_config.user[0] != '\0') {
		if (getuid() != 0) {
			fprintf(stderr, "mercato: --user needs root\n");
			exit(1);
		}
		main_chown_data(core_config.user);
		kore_runas_user = kore_strdup(core_config.user);
		skip_runas = 0;
	} else {
		skip_runas = 1;
	}
	/* Handles must not cross fork(): each worker opens its own. */
	core_db_close_all();
	core_identity_init();
	core_http_routes_init();
	if (core_metrics_init(core_http_route_count()) == -1)
		fatal("cannot map shared metrics");

	kore_foreground = 1;
	skip_chroot = 1;
	kore_quiet = getenv("MERCATO_VERBOSE") == NULL;
	kore_seccomp_tracing = getenv("MERCATO_SECCOMP_TRACE") != NULL;
	kore_parse_config();
	if (core_config.workers > 0)
		worker_count = (u_int8_t)core_config.workers;
	snprintf(pidfile, sizeof(pidfile), "%s/mercato.pid", core_config.data);
	kore_pidfile = kore_strdup(pidfile);
	core_logf("info", "mercato %s listening on http://%s:%s/ with %d "
	    "workers, data in %s", MERCATO_VERSION, core_config.bind,
	    core_config.port, worker_count, core_config.data);
}

/*
 * Runs a module's command (`mercato <verb> <noun> ...`) and returns its exit
 * status, or -1 when argv names none.  Flags are applied first; what is
 * left is handed to the command.
 */
static int
main_module_command(int argc, char **argv)
{
	const struct core_command	*c;
	char				*pos[8];
	int				 i, np, rc;

	if (argc < 3)
		return (-1);
	for (i = 0; core_modules[i] != NULL; i++) {
		for (c = core_modules[i]->commands; c != NULL && c->verb != NULL;
		    c++) {
			if (strcmp(c->verb, argv[1]) != 0 ||
			    strcmp(c->noun, argv[2]) != 0)
				continue;
			memset(pos, 0, sizeof(pos));
			np = main_flags(argc, argv, 3, pos, 7);
			if (main_open_all(1, 1) == -1) {
				core_db_close_all();
				return (1);
			}
			rc = c->run(np, pos);
			core_db_close_all();
			return (rc);
		}
	}
	return (-1);
}

/* One line per route and method: METHOD PATTERN ACCESS. */
static void
main_routes(void)
{
	static const char	*access[] = { "public", "customer", "staff",
	    "admin" };
	static const struct { int bit; const char *name; } methods[] = {
		{ HTTP_METHOD_GET, "GET" }, { HTTP_METHOD_POST, "POST" },
		{ HTTP_METHOD_PUT, "PUT" }, { HTTP_METHOD_PATCH, "PATCH" },
		{ HTTP_METHOD_DELETE, "DELETE" },
	};
	const struct core_route	*rt;
	size_t			 j;
	int			 i;

	core_http_routes_init();
	for (i = 2; (rt = core_http_route_at(i)) != NULL; i++)
		for (j = 0; j < sizeof(methods) / sizeof(methods[0]); j++)
			if (rt->methods & methods[j].bit)
				printf("%s %s %s\n", methods[j].name,
				    rt->pattern, access[rt->access]);
}

static int
main_admin_create(const char *email)
{
	char	 buf[300];
	char	*pw, *nl;

	if ((pw = getenv("MERCATO_ADMIN_PASSWORD")) == NULL) {
		if (fgets(buf, sizeof(buf), stdin) == NULL) {
			fprintf(stderr, "mercato: give the password on standard "
			    "input or in MERCATO_ADMIN_PASSWORD\n");
			return (1);
		}
		if ((nl = strchr(buf, '\n')) != NULL)
			*nl = '\0';
		pw = buf;
	}
	if (main_open_all(1, 0) == -1 ||
	    core_identity_seed_admin(email, pw, 1) == -1)
		return (1);
	sodium_memzero(buf, sizeof(buf));
	printf("admin %s created\n", email);
	return (0);
}

void
kore_parent_configure(int argc, char **argv)
{
	char		*pos[3] = { NULL, NULL, NULL };
	const char	*cmd;
	int		 np, rc;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (sodium_init() == -1)
		fatal("sodium_init");
	core_config_defaults();
	cmd = "serve";
	np = 1;
	if (argc > 1 && strncmp(argv[1], "--", 2) != 0) {
		cmd = argv[1];
		np = 2;
	}
	if (strcmp(cmd, "help") == 0 || strcmp(cmd, "-h") == 0) {
		main_usage(stdout);
		exit(0);
	}
	if (strcmp(cmd, "version") == 0) {
		printf("mercato %s (kore %s, sqlite %s, libsodium %s)\n",
		    MERCATO_VERSION, kore_version, sqlite3_libversion(),
		    sodium_version_string());
		exit(0);
	}
	if (strcmp(cmd, "routes") == 0) {
		main_routes();
		exit(0);
	}
	if (strcmp(cmd, "serve") == 0) {
		main_flags(argc, argv, np, pos, 0);
		main_serve();
		return;
	}
	if (strcmp(cmd, "migrate") == 0) {
		main_flags(argc, argv, np, pos, 0);
		if (mkdir(core_config.data, 0700) == -1 && errno != EEXIST) {
			fprintf(stderr, "mercato: cannot create %s: %s\n",
			    core_config.data, strerror(errno));
			exit(1);
		}
		rc = main_open_all(1, 0) == -1;
		core_db_close_all();
		exit(rc);
	}
	if (strcmp(cmd, "backup") == 0) {
		if (main_flags(argc, argv, np, pos, 1) != 1)
			goto usage;
		rc = main_open_all(0, 0) == -1 || core_db_backup(pos[0]) == -1;
		core_db_close_all();
		exit(rc);
	}
	if (strcmp(cmd, "replay") == 0) {
		if (main_flags(argc, argv, np, pos, 1) != 1)
			goto usage;
		if (core_module_get(pos[0]) == NULL) {
			fprintf(stderr, "mercato: no module '%s'\n", pos[0]);
			exit(2);
		}
		rc = main_open_all(0, 1) == -1 || core_bus_replay(pos[0]) == -1;
		core_db_close_all();
		exit(rc);
	}
	if ((rc = main_module_command(argc, argv)) != -1)
		exit(rc);
	if (strcmp(cmd, "admin") == 0 && argc > 2 &&
	    strcmp(argv[2], "create") == 0) {
		/* pos[1] is reserved for --email */
		if (main_flags(argc, argv, 3, pos, 2) != 0 || pos[1] == NULL)
			goto usage;
		rc = main_admin_create(pos[1]);
		core_db_close_all();
		exit(rc);
	}
usage:
	fprintf(stderr, "mercato: unknown command or arguments\n");
	main_usage(stderr);
	exit(2);
}

/*
 * Kore's own handler ends the worker's loop at once, dropping requests that
 * wait on a task.  Ours lets the loop run until no request is in flight (or
 * DRAIN_MAX_MS passed), then hands Kore the signal.
 */
static void
main_on_signal(int sig)
{
	main_draining = 1;
}

static void
main_drain_check(void *arg, u_int64_t now)
{
	if (!main_draining)
		return;
	if (main_drain_deadline == 0)
		main_drain_deadline = now + DRAIN_MAX_MS;
	if (http_request_count == 0 || now >= main_drain_deadline) {
		core_log_flush();
		sig_recv = SIGQUIT;
	}
}

void
kore_worker_configure(void)
{
	struct sigaction	sa;

	core_log_reinit();
	core_id_reinit();
	if (main_open_all(0, 1) == -1)
		fatal("worker %u: cannot open the data files", worker->id);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = main_on_signal;
	sigfillset(&sa.sa_mask);
	if (sigaction(SIGTERM, &sa, NULL) == -1 ||
	    sigaction(SIGINT, &sa, NULL) == -1 ||
	    sigaction(SIGQUIT, &sa, NULL) == -1)
		fatal("sigaction: %s", strerror(errno));
	kore_timer_add(main_drain_check, DRAIN_CHECK_MS, NULL, 0);
	/* Every worker sweeps; the cursors make concurrent sweeps safe. */
	kore_timer_add(core_bus_sweep, BUS_SWEEP_MS + worker->id * 10, NULL, 0);
	kore_timer_add(main_log_flush, LOG_FLUSH_MS, NULL, 0);
}

static void
main_log_flush(void *arg, u_int64_t now)
{
	core_log_flush();
}

void
kore_worker_teardown(void)
{
	core_log_flush();
	core_db_close_all();
}

void
kore_parent_teardown(void)
{
	core_logf("info", "mercato stopped");
}
