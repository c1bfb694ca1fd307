import { bpfContentSchema } from '@armorkit/core/schema';
import builtinRules, { BPF_DISK_DEVICE_PATTERN } from '@armorkit/builtin-rules';
import { describe, expect, it } from 'vitest';
import { DISK_DEVICE_PATTERN } from '../src/compile/disk-devices.js';
import { compileBpfProfile } from '../src/compile/compile-plan.js';
import { compilePolicy, enhancePolicy, bpfPolicy, planFor } from './support/compile-policy.js';

const bpfRules = builtinRules.rules.filter((rule) => rule.meta.enforcers.includes('BPF'));
const needsResolver = new Set(['block-access-to-kube-apiserver', 'ingress-nightmare-mitigation']);

function withRule(id: string, section: string, options: { privileged?: boolean; audit?: boolean } = {}): string {
  const list =
    section === 'attackProtection' ? `      attackProtectionRules:\n      - rules: [${id}]\n` : `      ${section}Rules: [${id}]\n`;
  return enhancePolicy(`${options.privileged ? '      privileged: true\n' : ''}${options.audit ? '      auditViolations: true\n' : ''}${list}`);
}

/** The bpf.json of a policy with one built-in rule and nothing else (privileged, so no RuntimeDefault base). */
function contentOf(id: string, options: { diskDevices?: string[]; audit?: boolean } = {}) {
  const rule = bpfRules.find((r) => r.meta.id === id)!;
  const compiled = compilePolicy(withRule(id, rule.meta.section, { privileged: true, ...(options.audit ? { audit: true } : {}) }), {
    diskDevices: options.diskDevices ?? [],
    resolver: {
      services: (query) => ({ destinations: [{ ip: `10.96.0.${'name' in query && query.name === 'kubernetes' ? 1 : 2}` }, { ip: '192.168.0.5', ports: [{ port: 6443 }] }] }),
      pods: () => ({ addresses: [] }),
    },
  });
  expect(compiled.errors).toEqual([]);
  return JSON.parse(compiled.artifact!.files[0]!.content);
}

describe('the built-in rules compile for BPF', () => {
  it.each(bpfRules.map((rule) => [rule.meta.id, rule.meta.section] as const))('%s', (id, section) => {
    for (const privileged of [false, true]) {
      const compiled = compilePolicy(withRule(id, section, { privileged }), { diskDevices: ['sda'] });
      if (needsResolver.has(id)) {
        expect(new Set(compiled.errors.map((e) => e.code))).toEqual(new Set(['bpf-resolver-missing']));
        expect(compiled.errors[0]!.message).toMatch(/Service .*\//);
        expect(compiled.errors[0]!.line).toBeGreaterThan(0);
        continue;
      }
      expect(compiled.errors).toEqual([]);
      const content = JSON.parse(compiled.artifact!.files[0]!.content);
      expect(bpfContentSchema.safeParse(content).success).toBe(true);
    }
  });

  it('uses the same disk-device marker as @armorkit/builtin-rules', () => {
    expect(DISK_DEVICE_PATTERN).toBe(BPF_DISK_DEVICE_PATTERN);
  });
});

describe('built-in rule encodings match vArmor (reference §1)', () => {
  it('capability masks', () => {
    expect(contentOf('disable-cap-all').capabilities).toEqual({ mode: 1, capabilities: 0x1ffffffffff });
    expect(contentOf('disable-cap-all-except-net-bind-service').capabilities.capabilities).toBe(0x1fffffffbff);
    expect(contentOf('disable-cap-privileged').capabilities.capabilities).toBe(0x1ff57fbda04);
    expect(contentOf('disallow-load-bpf-prog').capabilities.capabilities).toBe(0x8000200000);
    expect(contentOf('disable-cap-net-raw').capabilities.capabilities).toBe(1 << 13);
    expect(contentOf('disallow-insmod', { audit: true }).capabilities).toEqual({ mode: 3, capabilities: 1 << 16 });
  });

  it('socket masks', () => {
    expect(contentOf('disable-network').networks).toEqual([{ mode: 1, flags: 0x200, socket: { domains: 0x3fffffffffff } }]);
    expect(contentOf('disable-inet').networks[0].socket).toEqual({ domains: 0x4 });
    expect(contentOf('disable-inet6').networks[0].socket).toEqual({ domains: 0x400 });
    expect(contentOf('disable-unix-domain-socket').networks[0].socket).toEqual({ domains: 0x2 });
    expect(contentOf('disable-tcp').networks[0].socket).toEqual({ protocols: 1 << 6 });
    expect(contentOf('disable-udp').networks[0].socket).toEqual({ protocols: 1 << 17 });
    expect(contentOf('copy-fail-mitigation').networks[0].socket).toEqual({ domains: 2 ** 38 });
  });

  it('metadata services and Kubernetes Services', () => {
    expect(contentOf('block-access-to-metadata-service').networks).toEqual([
      { mode: 1, flags: 0x41, address: { ip: '169.254.169.254' } },
      { mode: 1, flags: 0x81, address: { ip: 'fd00:ec2::254' } },
      { mode: 1, flags: 0x41, address: { ip: '100.96.0.96' } },
    ]);
    expect(contentOf('block-access-to-kube-apiserver').networks).toEqual([
      { mode: 1, flags: 0x41, address: { ip: '10.96.0.1' } },
      { mode: 1, flags: 0x141, address: { ip: '192.168.0.5', port: 6443 } },
    ]);
    expect(contentOf('ingress-nightmare-mitigation').networks).toHaveLength(2); // two Services, same fake addresses merged
  });

  it('files, exec, ptrace and mounts', () => {
    expect(contentOf('disable-access-passwd').files).toEqual([{ mode: 1, permissions: 0xe, pattern: { flags: 0x5, prefix: '/etc/passwd' } }]);
    expect(contentOf('disable-write-etc').files).toEqual([{ mode: 1, permissions: 0xa, pattern: { flags: 0x6, prefix: '/etc/' } }]);
    expect(contentOf('disable-shell').processes.map((p: { pattern: unknown }) => p.pattern)).toEqual([
      { flags: 0xe, prefix: '/', suffix: 'hs/' },
      { flags: 0xe, prefix: '/', suffix: 'hsab/' },
      { flags: 0xe, prefix: '/', suffix: 'hsad/' },
    ]);
    expect(contentOf('disable-busybox').processes).toEqual([{ mode: 1, permissions: 1, pattern: { flags: 0xe, prefix: '/', suffix: 'xobysub/' } }]);
    expect(contentOf('disallow-access-procfs-root').ptrace).toEqual({ mode: 1, permissions: 0x4, flags: 0x1 });
    expect(contentOf('disallow-umount').mounts).toEqual([
      { mode: 1, mountFlags: 0x200, reverseMountflags: 0, pattern: { flags: 0x2 }, fstype: 'none' },
    ]);
    const procfs = contentOf('disallow-mount-procfs').mounts;
    expect(procfs[1]).toEqual({ mode: 1, mountFlags: 0x7220, reverseMountflags: 0, pattern: { flags: 0x6, prefix: '/proc' }, fstype: 'none' });
    expect(procfs[0].fstype).toBe('proc');
  });

  it('disk-device rules are one rule per device and keep their mode (vArmor Q3)', () => {
    const files = contentOf('disallow-debug-disk-device', { diskDevices: ['nvme0n1', 'sda'], audit: true }).files;
    expect(files).toEqual([
      { mode: 3, permissions: 0xe, pattern: { flags: 0x5, prefix: '/dev/nvme0n1' } },
      { mode: 3, permissions: 0xe, pattern: { flags: 0x5, prefix: '/dev/sda' } },
    ]);
    const mounts = contentOf('disallow-mount-disk-device', { diskDevices: ['sda'] }).mounts;
    expect(mounts).toHaveLength(1);
    expect(mounts[0]).toMatchObject({ mode: 1, fstype: '*', pattern: { flags: 0x5, prefix: '/dev/sda' } });
  });

  it('warns when the node disk devices are unknown', () => {
    const compiled = compileBpfProfile(planFor(withRule('disallow-debug-disk-device', 'hardening')));
    expect(compiled.warnings.map((w) => w.code)).toEqual(['bpf-disk-devices-unknown']);
    expect(compiled.warnings[0]!.pointer).toBe('/spec/policy/enhanceProtect/hardeningRules/0');
  });
});

describe('modes', () => {
  it('RuntimeDefault is the base rules in deny mode (reference §2.7)', () => {
    const { artifact, errors } = compilePolicy(bpfPolicy('RuntimeDefault'));
    expect(errors).toEqual([]);
    expect(JSON.parse(artifact!.files[0]!.content)).toEqual({
      files: [
        { mode: 1, permissions: 14, pattern: { flags: 5, prefix: '/proc/sysrq-trigger' } },
        { mode: 1, permissions: 14, pattern: { flags: 14, prefix: '/proc/', suffix: 'mem/' } },
        { mode: 1, permissions: 14, pattern: { flags: 5, prefix: '/proc/kmem' } },
        { mode: 1, permissions: 14, pattern: { flags: 5, prefix: '/proc/kcore' } },
        { mode: 1, permissions: 14, pattern: { flags: 6, prefix: '/sys/firmware/' } },
        { mode: 1, permissions: 14, pattern: { flags: 6, prefix: '/sys/devices/virtual/powercap/' } },
        { mode: 1, permissions: 14, pattern: { flags: 6, prefix: '/sys/kernel/security/' } },
      ],
      ptrace: { mode: 1, permissions: 6, flags: 1 },
      mounts: [{ mode: 1, mountFlags: 0xfffffdff, reverseMountflags: 0xffffffff, pattern: { flags: 2 }, fstype: '*' }],
    });
  });

  it('AlwaysAllow is empty; BehaviorModeling is empty and complains', () => {
    const always = compilePolicy(bpfPolicy('AlwaysAllow'));
    expect(always.artifact!.files[0]!.content).toBe('{}\n');
    expect(always.artifact!.profileMode).toBe('enforce');
    const modeling = compilePolicy(bpfPolicy('BehaviorModeling', '    modelingOptions: {duration: 3}\n'));
    expect(modeling.artifact!.profileMode).toBe('complain');
    expect(modeling.artifact!.data.profile.profileMode).toBe('complain');
  });

  it('EnhanceProtect: the base profile takes the policy action; privileged drops it', () => {
    const audited = compilePolicy(enhancePolicy('      auditViolations: true\n      hardeningRules: [disallow-umount]\n'));
    const content = JSON.parse(audited.artifact!.files[0]!.content);
    expect(content.files.every((f: { mode: number }) => f.mode === 3)).toBe(true);
    expect(content.mounts.map((m: { mode: number; mountFlags: number }) => [m.mode, m.mountFlags])).toEqual([[3, 0xfffffdff], [3, 0x200]]);
    const privileged = compilePolicy(enhancePolicy('      privileged: true\n      hardeningRules: [disallow-umount]\n'));
    expect(JSON.parse(privileged.artifact!.files[0]!.content)).toEqual({
      mounts: [{ mode: 1, mountFlags: 0x200, reverseMountflags: 0, pattern: { flags: 2 }, fstype: 'none' }],
    });
  });

  it('allowViolations without audit leaves nothing to do; with audit everything is audit-only', () => {
    const allowed = compilePolicy(enhancePolicy('      allowViolations: true\n      hardeningRules: [disable-cap-all]\n'));
    expect(allowed.artifact!.files[0]!.content).toBe('{}\n');
    const observed = compilePolicy(enhancePolicy('      allowViolations: true\n      auditViolations: true\n      hardeningRules: [disable-cap-all]\n'));
    const content = JSON.parse(observed.artifact!.files[0]!.content);
    expect(content.capabilities).toEqual({ mode: 2, capabilities: 0x1ffffffffff });
    expect(content.mounts[0].mode).toBe(2);
  });
});
