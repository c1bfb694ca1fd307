import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { aptInstallCommand, debianPackages } from './debian-packages.js';
import { fail, labError, succeed, type LabOutcome } from './lab-error.js';

/** The plain ELF bytes of a module: busybox insmod cannot read compressed modules, so they are unpacked at build time. */
export function readModuleFile(path: string): LabOutcome<Buffer> {
  if (path.endsWith('.ko')) return succeed(readFileSync(path));
  if (path.endsWith('.ko.gz')) return succeed(gunzipSync(readFileSync(path)));
  const tool = path.endsWith('.ko.xz') ? { command: 'xz', package: debianPackages.xz } : { command: 'zstd', package: debianPackages.zstd };
  try {
    return succeed(execFileSync(tool.command, ['-dc', path], { maxBuffer: 256 * 1024 * 1024 }));
  } catch {
    return fail(
      labError('decompressor-missing', `cannot decompress the module with ${tool.command}`, {
        path,
        remedy: aptInstallCommand([tool.package]),
      }),
    );
  }
}
