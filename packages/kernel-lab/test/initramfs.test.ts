import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { prepareInitramfs } from '../src/initramfs.js';
import { resolveLabKernel } from '../src/kernel-image.js';
import { unwrapOutcome } from '../src/lab-error.js';

describe('prepareInitramfs', () => {
  const cacheDir = mkdtempSync(join(tmpdir(), 'armorkit-initramfs-'));
  const kernel = unwrapOutcome(resolveLabKernel());
  afterAll(() => rmSync(cacheDir, { recursive: true, force: true }));

  it('builds an image with init, static busybox and the modules, cached under the kernel version', () => {
    const image = unwrapOutcome(prepareInitramfs({ kernel, cacheDir }));
    expect(image.built).toBe(true);
    expect(image.path).toBe(join(cacheDir, kernel.version, `initramfs-${image.inputHash.slice(0, 16)}.cpio`));
    const listing = spawnSync('cpio', ['-it', '--quiet'], { input: readFileSync(image.path), encoding: 'utf8' });
    const files = listing.stdout.trim().split('\n');
    expect(files).toEqual(expect.arrayContaining(['init', 'bin/busybox', 'dev/console', 'lib/modules/9p.ko', 'lib/modules/overlay.ko']));
    expect(files.filter((file) => file.startsWith('lib/modules/'))).toHaveLength(image.modules.length);
  });

  it('reuses the cached image while its inputs are unchanged', () => {
    const first = unwrapOutcome(prepareInitramfs({ kernel, cacheDir }));
    const second = unwrapOutcome(prepareInitramfs({ kernel, cacheDir }));
    expect(second.built).toBe(false);
    expect(second.path).toBe(first.path);
  });

  it('rebuilds when the inputs change and drops the stale image', () => {
    const before = unwrapOutcome(prepareInitramfs({ kernel, cacheDir }));
    const changed = unwrapOutcome(prepareInitramfs({ kernel, cacheDir, extraModules: ['virtio_rng'] }));
    expect(changed.built).toBe(true);
    expect(changed.inputHash).not.toBe(before.inputHash);
    expect(changed.modules).toContain('virtio_rng');
    expect(existsSync(before.path)).toBe(false);
    expect(readdirSync(join(cacheDir, kernel.version))).toEqual([`initramfs-${changed.inputHash.slice(0, 16)}.cpio`]);
  });

  it('reports a dynamically linked busybox as a value naming busybox-static', () => {
    const result = prepareInitramfs({ kernel, cacheDir, busyboxPath: process.execPath });
    expect(!result.ok && result.error.code).toBe('busybox-missing');
    expect(!result.ok && result.error.remedy).toBe('apt-get install -y busybox-static');
  });
});
