import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaultLabCacheDir } from './cache-dir.js';
import { initScript } from './init-script.js';
import type { KernelImage } from './kernel-image.js';
import { labModuleNames, labModulesFor } from './kernel-modules.js';
import { fail, labError, succeed, type LabOutcome } from './lab-error.js';
import { readModuleFile } from './module-file.js';
import { newcArchive, type ArchiveEntry } from './newc-archive.js';
import { findStaticBusybox, defaultBusyboxPath } from './static-busybox.js';

export interface InitramfsOptions {
  kernel: KernelImage;
  cacheDir?: string;
  busyboxPath?: string;
  /** Modules to load besides the lab's own (with their dependencies). */
  extraModules?: readonly string[];
}

export interface Initramfs {
  path: string;
  /** sha256 of the inputs: init script, busybox, module names and bytes. */
  inputHash: string;
  /** False when a cached image with the same inputs was reused. */
  built: boolean;
  modules: string[];
}

const directories = ['bin', 'dev', 'etc', 'host', 'lib', 'lib/modules', 'newroot', 'proc', 'rw', 'sys', 'tmp'];

/**
 * The lab's initramfs for a kernel, from the cache when its inputs are unchanged, else built and cached.
 * Cached per kernel version as `<cacheDir>/<version>/initramfs-<hash>.cpio`; images with other hashes are removed.
 */
export function prepareInitramfs(options: InitramfsOptions): LabOutcome<Initramfs> {
  const busybox = findStaticBusybox(options.busyboxPath ?? defaultBusyboxPath);
  if (!busybox.ok) return busybox;
  const modules = labModulesFor(options.kernel.modulesDir, [...labModuleNames, ...(options.extraModules ?? [])]);
  if (!modules.ok) return modules;
  const script = initScript(modules.value.map((module) => module.name));
  const busyboxBytes = readFileSync(busybox.value);

  const moduleBytes: { name: string; data: Buffer }[] = [];
  for (const module of modules.value) {
    const data = readModuleFile(module.path);
    if (!data.ok) return data;
    moduleBytes.push({ name: module.name, data: data.value });
  }

  const hash = createHash('sha256');
  hash.update(script).update('\0').update(busyboxBytes);
  for (const module of moduleBytes) hash.update('\0').update(module.name).update('\0').update(module.data);
  const inputHash = hash.digest('hex');

  const versionDir = join(options.cacheDir ?? defaultLabCacheDir(), options.kernel.version);
  const fileName = `initramfs-${inputHash.slice(0, 16)}.cpio`;
  const path = join(versionDir, fileName);
  const names = moduleBytes.map((module) => module.name);
  if (existsSync(path)) return succeed({ path, inputHash, built: false, modules: names });

  const entries: ArchiveEntry[] = [
    ...directories.map((directory): ArchiveEntry => ({ kind: 'directory', path: directory })),
    { kind: 'character-device', path: 'dev/console', major: 5, minor: 1 },
    { kind: 'character-device', path: 'dev/null', major: 1, minor: 3, mode: 0o666 },
    { kind: 'file', path: 'bin/busybox', data: busyboxBytes, mode: 0o755 },
    { kind: 'symlink', path: 'bin/sh', target: 'busybox' },
    { kind: 'file', path: 'init', data: Buffer.from(script), mode: 0o755 },
    ...moduleBytes.map((module): ArchiveEntry => ({ kind: 'file', path: `lib/modules/${module.name}.ko`, data: module.data })),
  ];
  try {
    mkdirSync(versionDir, { recursive: true });
    // Write then rename: another lab building the same image at the same time never sees a partial file.
    const partial = `${path}.${process.pid}.partial`;
    writeFileSync(partial, newcArchive(entries));
    renameSync(partial, path);
    for (const stale of readdirSync(versionDir)) {
      if (stale !== fileName && /^initramfs-[0-9a-f]{16}\.cpio$/.test(stale)) rmSync(join(versionDir, stale), { force: true });
    }
  } catch (error) {
    return fail(
      labError('initramfs-build-failed', `cannot write the initramfs: ${(error as Error).message}`, { path: versionDir }),
    );
  }
  return succeed({ path, inputHash, built: true, modules: names });
}
