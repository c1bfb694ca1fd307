import koffi from 'koffi';

const SIGPIPE = 13;
const SIGXFSZ = 25;

/**
 * Replaces this process with `argv` (execvp through koffi): Node has no exec. Signals Node ignores are set
 * back to their defaults first, since ignored signals survive exec. Returns only on failure, with errno.
 */
export function execCommand(argv: readonly string[]): number {
  const libc = koffi.load('libc.so.6');
  const signal = libc.func('void *signal(int signum, void *handler)');
  const execvp = libc.func('int execvp(const char *file, const char **argv)');
  signal(SIGPIPE, null);
  signal(SIGXFSZ, null);
  execvp(argv[0], [...argv, null]);
  return koffi.errno();
}
