import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { diskDevicesFromPartitions } from '../src/compile/disk-devices.js';
import { deserializeEntries, serializeEntries } from '../src/encode/serialize.js';
import { encodeProfile } from '../src/encode/encode-profile.js';
import { ensureBpfObject } from '../src/loader/bpf-object.js';
import { bpfLsmProblem } from '../src/loader/lsm-status.js';
import { parseNamespaceLink } from '../src/loader/mount-namespace.js';
import { profileOf } from './support/profiles.js';

describe('what the loader checks before touching the kernel', () => {
  const directory = mkdtempSync(join(tmpdir(), 'armorkit-lsm-'));
  const lsm = (content: string) => {
    const path = join(directory, `lsm-${content.length}`);
    writeFileSync(path, content);
    return path;
  };
  it('BPF-LSM must be active, and the process root', () => {
    expect(bpfLsmProblem({ lsmPath: lsm('lockdown,capability,yama,apparmor\n'), euid: 0 })).toEqual({
      code: 'bpf-lsm-inactive',
      message: expect.stringContaining('boot with lsm=lockdown,capability,yama,apparmor,bpf'),
    });
    expect(bpfLsmProblem({ lsmPath: join(directory, 'missing'), euid: 0 })?.code).toBe('bpf-lsm-inactive');
    expect(bpfLsmProblem({ lsmPath: lsm('capability,apparmor,bpf'), euid: 1000 })?.code).toBe('bpf-not-privileged');
    expect(bpfLsmProblem({ lsmPath: lsm('capability,apparmor,bpf'), euid: 0 })).toBeUndefined();
  });
  it('mount namespace links and /proc/partitions', () => {
    expect(parseNamespaceLink('mnt:[4026531841]')).toBe(4026531841);
    expect(parseNamespaceLink('net:[4026531840]')).toBeUndefined();
    expect(diskDevicesFromPartitions('major minor  #blocks  name\n\n 254        0   20971520 vda\n 254        1   20970479 vda1\n   8  0 1 sda\n')).toEqual(['sda', 'vda', 'vda1']);
  });
});

describe('a profile handed to the run helper', () => {
  it('survives serialization byte for byte', () => {
    const encoded = encodeProfile(profileOf('      hardeningRules: [disable-cap-all]\n'));
    if ('problem' in encoded) throw new Error(encoded.problem);
    const bytes = serializeEntries(encoded.entries);
    expect(deserializeEntries(bytes)).toEqual(encoded.entries);
    expect(deserializeEntries(bytes.subarray(0, bytes.length - 1))).toHaveProperty('problem');
    expect(deserializeEntries(Buffer.from('hello world!'))).toHaveProperty('problem');
  });
});

describe('the BPF object', () => {
  it('is built by clang at first use, once per source version, with one LSM program per hook', () => {
    const first = ensureBpfObject();
    if (!first.ok) throw new Error(first.error.message);
    const again = ensureBpfObject();
    expect(again).toEqual(first);
    const sections = execFileSync('llvm-objdump', ['--section-headers', first.value.path], { encoding: 'utf8' });
    const hooks = [...sections.matchAll(/^\s*\d+\s+lsm\/(\w+)/gm)].map((m) => m[1]).sort();
    expect(hooks).toEqual([
      'bprm_check_security', 'capable', 'd_instantiate', 'file_open', 'move_mount', 'path_chroot', 'path_link', 'path_mkdir', 'path_mknod',
      'path_rename', 'path_rmdir', 'path_symlink', 'path_truncate', 'path_unlink', 'ptrace_access_check', 'sb_mount', 'sb_pivotroot',
      'sb_umount', 'socket_connect', 'socket_create',
    ]);
    expect(sections).toMatch(/\.maps/);
    expect(sections).toMatch(/fentry\/free_mnt_ns/);
  });

  it('is found without clang once built ahead of time (a node without a compiler), and says so when it is not', () => {
    const cacheDirectory = mkdtempSync(join(tmpdir(), 'armorkit-bpf-object-'));
    try {
      const built = ensureBpfObject({ cacheDirectory });
      if (!built.ok) throw new Error(built.error.message);
      expect(ensureBpfObject({ cacheDirectory, clang: 'armorkit-no-such-clang' })).toEqual(built);
      const empty = ensureBpfObject({ cacheDirectory: join(cacheDirectory, 'empty'), clang: 'armorkit-no-such-clang' });
      expect(empty.ok).toBe(false);
      if (!empty.ok) {
        expect(empty.error.code).toBe('bpf-clang-missing');
        expect(empty.error.message).toContain('armorkit-no-such-clang is not installed and no built BPF programs are in');
      }
    } finally {
      rmSync(cacheDirectory, { recursive: true, force: true });
    }
  });
});
