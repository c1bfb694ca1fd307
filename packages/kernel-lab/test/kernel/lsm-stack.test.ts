import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { requireKernelLab } from '../../src/index.js';

describe('the lab kernel', () => {
  beforeAll(() => requireKernelLab());

  it('has AppArmor and BPF-LSM in its active LSM stack', () => {
    const stack = readFileSync('/sys/kernel/security/lsm', 'utf8').trim().split(',');
    expect(stack).toContain('apparmor');
    expect(stack).toContain('bpf');
  });

  it('has AppArmor enabled and securityfs, bpffs and cgroup2 mounted where the enforcers look', () => {
    expect(readFileSync('/sys/module/apparmor/parameters/enabled', 'utf8').trim()).toBe('Y');
    const mounts = readFileSync('/proc/self/mounts', 'utf8');
    expect(mounts).toMatch(/^securityfs \/sys\/kernel\/security securityfs /m);
    expect(mounts).toMatch(/^bpf \/sys\/fs\/bpf bpf /m);
    expect(mounts).toMatch(/^cgroup2 \/sys\/fs\/cgroup cgroup2 /m);
  });
});
