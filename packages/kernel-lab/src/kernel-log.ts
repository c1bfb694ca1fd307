/**
 * The messages of /dev/kmsg records (`<priority>,<sequence>,<microseconds>,<flags>;<message>`), one per line.
 * Continuation lines (` KEY=value` dictionary entries) are dropped; lines that are not records are kept as they are.
 */
export function kernelLogMessages(kmsgText: string): string {
  return kmsgText
    .split('\n')
    .filter((line) => line.length > 0 && !line.startsWith(' '))
    .map((line) => {
      const match = /^\d+,\d+,\d+,[^;]*;(.*)$/.exec(line);
      return match ? match[1] : line;
    })
    .join('\n');
}
