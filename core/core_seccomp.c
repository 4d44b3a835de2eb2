/*
 * The one seccomp filter.  Kore's workers run under an allow-list that is
 * always on; these are the system calls it lacks and that SQLite, libsodium
 * and Kore's task threads need (traced with seccomp_tracing, see
 * docs/OPERATIONS.md).  Our rules come before Kore's own.
 */
#include <kore/kore.h>
#include <kore/seccomp.h>

/* Defined by the macro below; Kore looks it up by name. */
void	kore_seccomp_hook(void);

KORE_SECCOMP_FILTER("mercato",
	/* SQLite page I/O. */
	KORE_SYSCALL_ALLOW(pread64),
	KORE_SYSCALL_ALLOW(pwrite64),
	/* SQLite stat() of the db, -wal and -journal (glibc 2.36). */
	KORE_SYSCALL_ALLOW(newfstatat),
	KORE_SYSCALL_ALLOW(fstat),
	/* Commits and checkpoints (synchronous=FULL/NORMAL). */
	KORE_SYSCALL_ALLOW(fdatasync),
	KORE_SYSCALL_ALLOW(fsync),
	/* WAL and -shm sizing; checkpoint truncation. */
	KORE_SYSCALL_ALLOW(ftruncate),
	/* As root, SQLite gives -wal/-shm the owner of the db file. */
	KORE_SYSCALL_ALLOW(fchown),
	KORE_SYSCALL_ALLOW(fchmod),
	/* Removing -journal files; access() probes for -wal/-shm. */
	KORE_SYSCALL_ALLOW(unlink),
	KORE_SYSCALL_ALLOW(unlinkat),
	KORE_SYSCALL_ALLOW(faccessat),
	KORE_SYSCALL_ALLOW(faccessat2),
	KORE_SYSCALL_ALLOW(access),
	/* Growing the -shm mapping. */
	KORE_SYSCALL_ALLOW(mremap),
	/* Kore tasks: glibc's pthread_create tries clone3 first and falls
	 * back to clone on ENOSYS; new threads register rseq. */
	KORE_SYSCALL_DENY(clone3, ENOSYS),
	KORE_SYSCALL_ALLOW(rseq),
#if defined(__SANITIZE_ADDRESS__)
	/* Only the sanitizer build: ASan's thread start-up asks for these. */
	KORE_SYSCALL_ALLOW(gettid),
	KORE_SYSCALL_ALLOW(sched_getaffinity),
#endif
);
