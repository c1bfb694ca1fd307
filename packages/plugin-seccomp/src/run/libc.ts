import koffi from 'koffi';
import { SECCOMP_FILTER_FLAG_TSYNC } from './filter-flags.js';

// The few libc calls Node lacks, through koffi: installing a seccomp filter on this process and exec.
const PR_SET_NO_NEW_PRIVS = 38;
const SECCOMP_SET_MODE_FILTER = 1;
const SYS_SECCOMP: Partial<Record<string, number>> = { x64: 317, arm64: 277 };
const SIGPIPE = 13;
const SIGXFSZ = 25;

const libc = koffi.load('libc.so.6');
const sockFprog = koffi.struct('armorkit_sock_fprog', { len: 'uint16_t', filter: 'void *' });
const prctl = libc.func('int prctl(int option, unsigned long arg2, unsigned long arg3, unsigned long arg4, unsigned long arg5)');
const syscall = libc.func('long syscall(long number, ...)');
const signal = libc.func('void *signal(int signum, void *handler)');
const execvp = libc.func('int execvp(const char *file, const char **argv)');
const fcntl = libc.func('int fcntl(int fd, int cmd, ...)');
const F_GETFD = 1;
const F_SETFD = 2;
const F_GETFL = 3;
const F_SETFL = 4;
const FD_CLOEXEC = 1;
const O_NONBLOCK = 0o4000;

/**
 * Node marks the descriptors it inherits close-on-exec and may make them non-blocking; the command must get stdin,
 * stdout and stderr as the caller gave them.
 */
function restoreStdio(): void {
  for (const fd of [0, 1, 2]) {
    const descriptorFlags = fcntl(fd, F_GETFD, 'int', 0) as number;
    if (descriptorFlags >= 0) fcntl(fd, F_SETFD, 'int', descriptorFlags & ~FD_CLOEXEC);
    const statusFlags = fcntl(fd, F_GETFL, 'int', 0) as number;
    if (statusFlags >= 0) fcntl(fd, F_SETFL, 'int', statusFlags & ~O_NONBLOCK);
  }
}

/**
 * no_new_privs, then seccomp(SECCOMP_SET_MODE_FILTER, flags, program) on every thread of this process (TSYNC: Node
 * has several). Returns the errno on failure, 0 on success.
 */
export function installFilter(program: Buffer, flags: number): number {
  const number = SYS_SECCOMP[process.arch];
  if (number === undefined) return 38; // ENOSYS: no seccomp syscall number for this architecture here
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) !== 0) return koffi.errno();
  const fprog = { len: program.length / 8, filter: program };
  const result = syscall(number, 'unsigned int', SECCOMP_SET_MODE_FILTER, 'unsigned int', flags | SECCOMP_FILTER_FLAG_TSYNC, koffi.pointer(sockFprog), fprog);
  return result === 0 ? 0 : koffi.errno();
}

/** Replaces this process with argv (execvp); ignored signals are reset first, as they would survive exec. Returns errno. */
export function execCommand(argv: readonly string[]): number {
  restoreStdio();
  signal(SIGPIPE, null);
  signal(SIGXFSZ, null);
  execvp(argv[0], [...argv, null]);
  return koffi.errno();
}
