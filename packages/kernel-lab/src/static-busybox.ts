import { closeSync, existsSync, openSync, readSync } from 'node:fs';
import { aptInstallCommand, debianPackages } from './debian-packages.js';
import { fail, labError, succeed, type LabOutcome } from './lab-error.js';

/** Debian's busybox-static installs here; the dynamic `busybox` package uses the same path. */
export const defaultBusyboxPath = '/bin/busybox';

const programHeaderInterpreter = 3;

/** True when the ELF file asks for no program interpreter, i.e. it runs without a libc in the initramfs. */
export function isStaticElf(path: string): boolean {
  const fd = openSync(path, 'r');
  try {
    const header = Buffer.alloc(64);
    readSync(fd, header, 0, 64, 0);
    if (header.readUInt32BE(0) !== 0x7f454c46 || header[4] !== 2) return false;
    const tableOffset = Number(header.readBigUInt64LE(0x20));
    const entrySize = header.readUInt16LE(0x36);
    const entryCount = header.readUInt16LE(0x38);
    const table = Buffer.alloc(entrySize * entryCount);
    readSync(fd, table, 0, table.length, tableOffset);
    for (let index = 0; index < entryCount; index += 1) {
      if (table.readUInt32LE(index * entrySize) === programHeaderInterpreter) return false;
    }
    return true;
  } finally {
    closeSync(fd);
  }
}

export function findStaticBusybox(path = defaultBusyboxPath): LabOutcome<string> {
  const remedy = aptInstallCommand([debianPackages.busybox]);
  if (!existsSync(path)) return fail(labError('busybox-missing', 'busybox is not installed', { path, remedy }));
  if (!isStaticElf(path)) {
    return fail(labError('busybox-missing', 'busybox is dynamically linked; the initramfs needs the static build', { path, remedy }));
  }
  return succeed(path);
}
