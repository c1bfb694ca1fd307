import { describe, expect, test } from 'vitest';
import { syscallEntries, syscallName, syscallNumber, suggestSyscall, isKnownSyscallName } from '../src/syscalls/lookup.js';
import { libseccompNumbers } from './support/oracle.js';

describe('syscall tables', () => {
  test.each(['x86_64', 'aarch64'] as const)('%s agrees with libseccomp 2.5.4 on every name both know', (arch) => {
    const ours = syscallEntries(arch);
    const theirs = libseccompNumbers(arch, ours.map(([name]) => name));
    const shared = ours.filter(([name]) => theirs.has(name));
    expect(shared.length).toBeGreaterThan(arch === 'x86_64' ? 350 : 290);
    for (const [name, nr] of shared) expect([name, theirs.get(name)]).toEqual([name, nr]);
  });

  test('numbers added after Linux 6.1 are present, to 6.18', () => {
    expect(syscallNumber('x86_64', 'fchmodat2')).toBe(452);
    expect(syscallNumber('aarch64', 'fchmodat2')).toBe(452);
    expect(syscallNumber('x86_64', 'file_setattr')).toBe(469);
    expect(syscallNumber('aarch64', 'file_setattr')).toBe(469);
    expect(syscallNumber('x86_64', 'uretprobe')).toBe(335);
    expect(syscallNumber('aarch64', 'uretprobe')).toBeUndefined();
    expect(syscallName('x86_64', 462)).toBe('mseal');
    expect(syscallNumber('aarch64', 'open')).toBeUndefined();
    expect(syscallNumber('aarch64', 'openat')).toBe(56);
  });

  test('names and numbers are one-to-one', () => {
    for (const arch of ['x86_64', 'aarch64'] as const) {
      const entries = syscallEntries(arch);
      expect(new Set(entries.map(([, nr]) => nr)).size).toBe(entries.length);
      for (const [name, nr] of entries) expect(syscallName(arch, nr)).toBe(name);
    }
  });

  test('suggestions for misspelt names', () => {
    expect(suggestSyscall('fchmodat3')).toContain('fchmodat2');
    expect(suggestSyscall('unshar')).toContain('unshare');
    expect(suggestSyscall('zzzzzzzzzzzzzzzzzz')).toEqual([]);
    expect(isKnownSyscallName('chown32')).toBe(true);
    expect(isKnownSyscallName('chmdo')).toBe(false);
  });
});
