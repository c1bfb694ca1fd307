import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { newcArchive } from '../src/newc-archive.js';

/** `cpio -itv` (GNU cpio) is the oracle: if it reads the archive, so does the kernel's initramfs unpacker. */
function cpioListing(archive: Buffer): string[] {
  const listing = spawnSync('cpio', ['-itv', '--quiet'], { input: archive, encoding: 'utf8' });
  expect(listing.stderr).toBe('');
  expect(listing.status).toBe(0);
  return listing.stdout.trim().split('\n');
}

describe('newcArchive', () => {
  const archive = newcArchive([
    { kind: 'directory', path: 'bin' },
    { kind: 'file', path: 'bin/hello', data: Buffer.from('#!/bin/sh\necho hi\n'), mode: 0o755 },
    { kind: 'symlink', path: 'bin/sh', target: 'busybox' },
    { kind: 'character-device', path: 'console', major: 5, minor: 1 },
    { kind: 'file', path: 'odd', data: Buffer.from('12345') },
  ]);

  it('writes every entry kind the initramfs needs, readable by GNU cpio', () => {
    const lines = cpioListing(archive);
    expect(lines).toHaveLength(5);
    expect(lines[0]).toMatch(/^drwxr-xr-x .* bin$/);
    expect(lines[1]).toMatch(/^-rwxr-xr-x .* 18 .* bin\/hello$/);
    expect(lines[2]).toMatch(/^lrwxrwxrwx .* bin\/sh -> busybox$/);
    expect(lines[3]).toMatch(/^crw------- .* 5,\s+1 .* console$/);
    expect(lines[4]).toMatch(/^-rw-r--r-- .* 5 .* odd$/);
  });

  it('pads to four bytes and ends with the trailer', () => {
    expect(archive.length % 4).toBe(0);
    expect(archive.includes(Buffer.from('TRAILER!!!\0'))).toBe(true);
  });

  it('is byte-identical for identical entries', () => {
    const again = newcArchive([{ kind: 'file', path: 'a', data: Buffer.from('x') }]);
    expect(again.equals(newcArchive([{ kind: 'file', path: 'a', data: Buffer.from('x') }]))).toBe(true);
  });
});
