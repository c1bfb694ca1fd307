import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { classifyComponent, generalizePath } from '../../src/entries/model.js';

// path \t access letters \t what the model keeps: real paths from shared/corpus/audit and from typical containers.
const rows = readFileSync(new URL('paths.table.tsv', import.meta.url), 'utf8')
  .split('\n')
  .filter((line) => line !== '' && !line.startsWith('#'))
  .map((line) => {
    const [path = '', mask = '', expected = ''] = line.split('\t');
    return { path, mask, expected };
  });

describe('generalizePath (reference §5.4 and our classifier)', () => {
  it('has a table of at least 100 paths', () => {
    expect(rows.length).toBeGreaterThanOrEqual(100);
  });

  it.each(rows)('$path ($mask) → $expected', ({ path, mask, expected }) => {
    expect(generalizePath(path, mask)).toBe(expected);
  });

  it('is stable: a generalised path generalises to itself', () => {
    for (const { expected, mask } of rows) expect(generalizePath(expected, mask)).toBe(expected);
  });

  it('replaces every number under an overlay directory found in /proc/mounts', () => {
    const overlayPrefixes = ['/var/lib/rancher/k3s/agent/containerd/io.containerd.snapshotter.v1.overlayfs/snapshots/'];
    expect(generalizePath('/var/lib/rancher/k3s/agent/containerd/io.containerd.snapshotter.v1.overlayfs/snapshots/812/fs/usr/bin/env', 'r', { overlayPrefixes }))
      .toBe('/var/lib/rancher/k3s/agent/containerd/io.containerd.snapshotter.v1.overlayfs/snapshots/*/fs/usr/bin/env');
  });

  it('names what it found in a component', () => {
    expect(classifyComponent('1234')).toBe('numeric');
    expect(classifyComponent('3c1e7a4b-2f9d-4d6e-8a1b-0c2d3e4f5a6b')).toBe('uuid');
    expect(classifyComponent('10.0.0.1')).toBe('ip');
    expect(classifyComponent('2001:db8::1')).toBe('ip');
    expect(classifyComponent('eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl')).toBe('jwt');
    expect(classifyComponent('k3j9x2a8')).toBe('random');
    for (const chosen of ['nginx.conf', 'python3', 'x86_64', 'sha256sum', 'CamelCaseModule', 'release2024', 'utf8', 'libsodium23']) {
      expect(classifyComponent(chosen)).toBeUndefined();
    }
  });
});
