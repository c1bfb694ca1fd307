import { mkdirSync, writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { confined, kernelEvents, load, unconfinedRun, unload } from './lab.js';

// Runs inside kernel-lab (ARMORKIT_KERNEL_LAB=1): a real kernel with AppArmor, the root a writable overlay.
// aa-exec attaches the profile at the exec of the command, and that exec is checked against the caller's (unconfined)
// profile; exec rules and child-profile transitions apply to what the confined command executes next. Exec tests
// therefore start from /usr/bin/env, as a container's entrypoint would be the program that runs a shell.
const loaded: string[] = [];
async function profile(...args: Parameters<typeof load>): Promise<string> {
  const name = await load(...args);
  loaded.push(name);
  return name;
}
afterEach(async () => {
  for (const name of loaded.splice(0)) await unload(name);
});

describe('AppArmor enforcement in a real kernel', () => {
  it('mitigate-sa-leak denies reading the service-account token', async () => {
    mkdirSync('/run/secrets/kubernetes.io/serviceaccount', { recursive: true });
    writeFileSync('/run/secrets/kubernetes.io/serviceaccount/token', 'secret');
    const name = await profile({ name: 'sa', mode: 'EnhanceProtect', attackProtectionRules: [{ rules: ['mitigate-sa-leak'] }] });
    expect(confined(name, ['cat', '/run/secrets/kubernetes.io/serviceaccount/token'])).not.toBe(0);
    expect(confined(name, ['cat', '/etc/hostname'])).toBe(0);
  });

  it('disable-write-etc denies writing under /etc', async () => {
    const name = await profile({ name: 'etc', mode: 'EnhanceProtect', attackProtectionRules: [{ rules: ['disable-write-etc'] }] });
    expect(confined(name, ['touch', '/etc/armorkit-test'])).not.toBe(0);
    expect(confined(name, ['touch', '/tmp/armorkit-test'])).toBe(0);
  });

  it('disable-shell denies executing a shell', async () => {
    const name = await profile({ name: 'shell', mode: 'EnhanceProtect', attackProtectionRules: [{ rules: ['disable-shell'] }] });
    expect(confined(name, ['/usr/bin/env', 'sh', '-c', 'true'])).not.toBe(0);
    expect(confined(name, ['/usr/bin/env', 'bash', '-c', 'true'])).not.toBe(0);
    expect(confined(name, ['/usr/bin/env', 'true'])).toBe(0);
  });

  it('a rule group with targets applies inside bash only', async () => {
    const name = await profile({ name: 'targets', mode: 'EnhanceProtect', attackProtectionRules: [{ rules: ['disable-write-etc'], targets: ['/bin/bash', '/usr/bin/bash'] }] });
    expect(confined(name, ['/usr/bin/env', 'bash', '-c', 'touch /etc/armorkit-bash'])).not.toBe(0);
    expect(confined(name, ['/usr/bin/env', 'touch', '/etc/armorkit-not-bash'])).toBe(0);
    expect(confined(name, ['/usr/bin/env', 'dash', '-c', 'touch /etc/armorkit-dash'])).toBe(0);
  });

  it('disable-cap-net-raw denies a raw socket', async () => {
    const name = await profile({ name: 'netraw', mode: 'EnhanceProtect', hardeningRules: ['disable-cap-net-raw'] });
    const raw = ['/usr/bin/python3', '-c', 'import socket; socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)'];
    expect(confined(name, raw)).not.toBe(0);
    expect(unconfinedRun(raw)).toBe(0);
  });

  it('RuntimeDefault denies mount', async () => {
    mkdirSync('/tmp/armorkit-mnt', { recursive: true });
    const name = await profile({ name: 'rd', mode: 'RuntimeDefault' });
    expect(confined(name, ['mount', '-t', 'tmpfs', 'none', '/tmp/armorkit-mnt'])).not.toBe(0);
    expect(unconfinedRun(['mount', '-t', 'tmpfs', 'none', '/tmp/armorkit-mnt'])).toBe(0);
    unconfinedRun(['umount', '/tmp/armorkit-mnt']);
  });

  it('a raw rule denies reading /etc/hostname', async () => {
    const name = await profile({ name: 'raw', mode: 'EnhanceProtect', appArmorRawRules: [{ rules: 'deny /etc/hostname r,' }] });
    expect(confined(name, ['cat', '/etc/hostname'])).not.toBe(0);
    expect(confined(name, ['cat', '/etc/hosts'])).toBe(0);
  });

  it('auditViolations produces DENIED events', async () => {
    const name = await profile({ name: 'auditdeny', mode: 'EnhanceProtect', auditViolations: true, appArmorRawRules: [], attackProtectionRules: [{ rules: ['disable-write-etc'] }] });
    expect(confined(name, ['touch', '/etc/armorkit-audit'])).not.toBe(0);
    const events = kernelEvents(name);
    expect(events.some((e) => e.action === 'DENIED' && String(e.event.name).startsWith('/etc/armorkit-audit'))).toBe(true);
  });

  it('allowViolations with auditViolations lets the action through with an AUDIT event', async () => {
    const name = await profile({ name: 'auditallow', mode: 'EnhanceProtect', auditViolations: true, allowViolations: true, attackProtectionRules: [{ rules: ['disable-write-etc'] }] });
    expect(confined(name, ['touch', '/etc/armorkit-allowed'])).toBe(0);
    const events = kernelEvents(name);
    expect(events.some((e) => e.action === 'AUDIT' && String(e.event.name).startsWith('/etc/armorkit-allowed'))).toBe(true);
  });
});
