import koffi from 'koffi';
import type { Libbpf } from './libbpf.js';

/**
 * Collects what libbpf prints (the verifier's log when a program is refused) while `run` runs, so a failed
 * load can say why instead of printing to stderr behind the caller's back.
 */
export function withLibbpfLog<T>(library: Libbpf, run: () => T): { result: T; log: string } {
  const lines: string[] = [];
  const buffer = Buffer.alloc(8192);
  const callback = koffi.register((_level: number, format: unknown, args: unknown) => {
    if (process.arch === 'x64') {
      const length = library.format(buffer, format, args);
      lines.push(buffer.subarray(0, Math.max(0, Math.min(length, buffer.length - 1))).toString('utf8'));
    } else {
      lines.push(koffi.decode(format, 'char', -1) as string);
    }
    return 0;
  }, koffi.pointer(library.printCallback));
  library.setPrint(callback);
  try {
    return { result: run(), log: lines.join('') };
  } finally {
    // Outside loads libbpf stays quiet: problems come back as values.
    library.setPrint(null);
    koffi.unregister(callback);
  }
}
