import koffi from 'koffi';

const SIGPIPE = 13;
const SIGXFSZ = 25;
const F_GETFD = 1;
const F_SETFD = 2;
const F_GETFL = 3;
const F_SETFL = 4;
const FD_CLOEXEC = 1;
const O_NONBLOCK = 0o4000;

/**
 * Replaces this process with `argv` (execvp through koffi): Node has no exec. Signals Node ignores are set
 * back to their defaults first, since ignored signals survive exec. Returns only on failure, with errno.
 */
export function execCommand(argv: readonly string[]): number {
  const libc = koffi.load('libc.so.6');
  const signal = libc.func('void *signal(int signum, void *handler)');
  const execvp = libc.func('int execvp(const char *file, const char **argv)');
  const fcntl = libc.func('int fcntl(int fd, int cmd, ...)');
  // Node marks inherited descriptors close-on-exec and may make them non-blocking: give the command its stdio back.
  for (const fd of [0, 1, 2]) {
    const descriptorFlags = fcntl(fd, F_GETFD, 'int', 0) as number;
    if (descriptorFlags >= 0) fcntl(fd, F_SETFD, 'int', descriptorFlags & ~FD_CLOEXEC);
    const statusFlags = fcntl(fd, F_GETFL, 'int', 0) as number;
    if (statusFlags >= 0) fcntl(fd, F_SETFL, 'int', statusFlags & ~O_NONBLOCK);
  }
  signal(SIGPIPE, null);
  signal(SIGXFSZ, null);
  execvp(argv[0], [...argv, null]);
  return koffi.errno();
}
