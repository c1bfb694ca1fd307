import { readFileSync } from 'node:fs';
import { checkPolicies, createEngine, varmorDialect } from '@armorkit/core';
import { type ViolationEvent, violationEvent } from '@armorkit/core/audit';
import { ModelRecorder, dynamicResultSchema, formatModel, modelDocument } from '@armorkit/core/model';
import { parseBehaviorModels } from '@armorkit/core/schema';
import { apparmor } from '@armorkit/plugin-apparmor';
import { bpf } from '@armorkit/plugin-bpf';
import { seccomp } from '@armorkit/plugin-seccomp';
import { describe, expect, it } from 'vitest';

// Events of complain-mode profiles, decoded by the plugins' own audit declarations, recorded through their `observe`.
const SAMPLES = readFileSync(new URL('../../../../shared/corpus/audit/samples.log', import.meta.url), 'utf8').split('\n');
const engine = createEngine({ plugins: [varmorDialect(), apparmor(), seccomp(), bpf()] });
const observe = (event: ViolationEvent) => {
  const observed = engine.observe(event);
  if (!observed.ok) throw new Error('observe failed');
  return observed.value;
};
const decode = (lines: readonly string[]) => lines.map((line) => engine.auditRecords.decodeLine(line)).filter((e): e is ViolationEvent => e !== undefined);

// What a kernel with AppArmor 3 logs for a task under `varmor-demo-web (complain)`, in the format of the samples.
const PROFILE = 'varmor-demo-web';
const complain = (fields: string) => `[  71.120000] audit: type=1400 audit(1764660000.100:41): apparmor="ALLOWED" ${fields} profile="${PROFILE}" pid=311 comm="python3"`;
const LINES = [
  complain('operation="exec" class="file" name="/usr/bin/python3.11" requested_mask="x" denied_mask="x" fsuid=0 ouid=0 target="varmor-demo-web//null-/usr/bin/python3.11"'),
  complain('operation="open" class="file" name="/srv/www/index.html" requested_mask="r" denied_mask="r" fsuid=0 ouid=0'),
  complain('operation="open" class="file" name="/srv/www/index.html" requested_mask="wc" denied_mask="wc" fsuid=0 ouid=1000'),
  complain('operation="file_mmap" class="file" name="/usr/lib/x86_64-linux-gnu/libssl.so.3" requested_mask="mr" denied_mask="mr" fsuid=0 ouid=0'),
  complain('operation="open" class="file" name="/proc/311/stat" requested_mask="r" denied_mask="r" fsuid=0 ouid=0'),
  complain('operation="mknod" class="file" name="/tmp/tmpk3j9_x2a" requested_mask="c" denied_mask="c" fsuid=0 ouid=0'),
  complain('operation="create" class="net" family="inet" sock_type="stream" protocol=6 requested_mask="create" denied_mask="create"'),
  complain('operation="capable" class="cap" capability=10 capname="net_bind_service"'),
  complain('operation="signal" class="signal" requested_mask="send" denied_mask="send" signal=term peer="unconfined"'),
  complain('operation="ptrace" class="ptrace" requested_mask="read" denied_mask="read" peer="unconfined"'),
  complain('operation="mount" class="mount" info="failed flags match" error=-13 name="/mnt/cache/" fstype="tmpfs" srcname="tmpfs" flags="rw, nosuid, nodev"'),
  complain('operation="umount" class="mount" info="failed flags match" error=-13 name="/mnt/cache/"'),
  complain('operation="change_onexec" class="file" info="label not found" name="other"'),
  // the same profile in enforce mode: a denial is not behaviour
  `[  71.2] audit: type=1400 audit(1764660000.200:42): apparmor="DENIED" operation="open" class="file" profile="${PROFILE}" name="/etc/shadow" pid=311 comm="python3" requested_mask="r" denied_mask="r" fsuid=0 ouid=0`,
  // another profile
  `[  71.3] audit: type=1400 audit(1764660000.300:43): apparmor="ALLOWED" operation="open" class="file" profile="other" name="/etc/passwd" pid=9 comm="x" requested_mask="r" denied_mask="r" fsuid=0 ouid=0`,
  // seccomp LOG of a task the AppArmor profile labels
  `[  71.4] audit: type=1326 audit(1764660000.400:44): auid=4294967295 uid=0 gid=0 ses=4294967295 subj=${PROFILE} (complain) pid=311 comm="python3" exe="/usr/bin/python3.11" sig=0 arch=c000003e syscall=288 compat=0 ip=0x7f61a81c5923 code=0x7ffc0000`,
  `[  71.5] audit: type=1326 audit(1764660000.500:45): auid=4294967295 uid=0 gid=0 ses=4294967295 subj=${PROFILE} (complain) pid=311 comm="python3" exe="/usr/bin/python3.11" sig=0 arch=c000003e syscall=232 compat=0 ip=0x7f61a81c5923 code=0x7ffc0000`,
];
let lastModel: ReturnType<ModelRecorder['dynamicResult']> = {};
const bpfEvent = (event: Record<string, unknown>) => violationEvent({ eventTimestamp: 1764660000, enforcer: 'BPF', action: 'ALLOWED', profileName: PROFILE, event });

describe('ModelRecorder on the plugins\' events', () => {
  it('turns AppArmor complain, seccomp LOG and BPF complain events into the dynamicResult (reference §5.3)', () => {
    const recorder = new ModelRecorder({ profileName: PROFILE, observe });
    for (const event of decode(LINES)) recorder.record(event);
    for (const event of [
      bpfEvent({ operation: 'Bprm', permissions: ['exec'], path: '/usr/bin/python3.11', comm: 'python3' }),
      bpfEvent({ operation: 'File', permissions: ['read'], path: '/srv/www/index.html', comm: 'python3' }),
      bpfEvent({ operation: 'Network', type: 'socket', socket: { domain: 'AF_INET', type: 'SOCK_STREAM', protocol: 'IPPROTO_TCP' }, comm: 'python3' }),
      bpfEvent({ operation: 'Network', type: 'connect', address: { ip: '10.96.0.10', port: 53 }, comm: 'python3' }),
      bpfEvent({ operation: 'Network', type: 'connect', address: { ip: '10.96.0.10', port: 443 }, comm: 'python3' }),
      bpfEvent({ operation: 'Capability', capability: 'net_bind_service', comm: 'python3' }),
      bpfEvent({ operation: 'Ptrace', permission: 'read', external: true, comm: 'ps' }),
      bpfEvent({ operation: 'Mount', path: 'tmpfs', type: 'tmpfs', flags: ['nosuid'], comm: 'mount' }),
    ]) recorder.record(event);
    const result = recorder.dynamicResult();
    expect(dynamicResultSchema.parse(result)).toEqual(result);
    expect(result).toEqual({
      appArmor: {
        profiles: [PROFILE],
        executions: ['/usr/bin/python3.11'],
        files: [
          { path: '/proc/*/stat', owner: true, permissions: ['r'] },
          { path: '/srv/www/index.html', owner: false, permissions: ['r', 'w'] },
          { path: '/tmp/**', owner: true, permissions: ['w'] },
          { path: '/usr/lib/x86_64-linux-gnu/**', owner: true, permissions: ['m', 'r'] },
        ],
        capabilities: ['net_bind_service'],
        networks: { sockets: [{ domain: 'inet', type: 'stream', protocol: '6' }] },
        ptraces: [{ peer: 'unconfined', permissions: ['read'] }],
        signals: [{ peer: 'unconfined', permissions: ['send'], signals: ['term'] }],
        mounts: [{ path: '/mnt/cache/', flags: ['umount'] }, { path: '/mnt/cache/', type: 'tmpfs', flags: ['nodev', 'nosuid', 'rw'] }],
        unhandled: ['change_onexec'],
      },
      bpf: {
        executions: ['/usr/bin/python3.11'],
        files: [{ path: '/srv/www/index.html', owner: false, permissions: ['read'] }],
        capabilities: ['net_bind_service'],
        network: { sockets: [{ domain: 'AF_INET', type: 'SOCK_STREAM', protocol: 'IPPROTO_TCP' }], egresses: [{ ip: '10.96.0.10', ports: [53, 443] }] },
        ptraces: [{ permissions: ['read'], external: true }],
        mounts: [{ path: 'tmpfs', type: 'tmpfs', flags: ['nosuid'] }],
      },
      seccomp: { syscalls: ['accept4', 'epoll_wait'] },
    });
    expect(recorder.skipped).toBe(2);
    lastModel = result;
    expect(recorder.counts).toMatchObject({ execution: 2, file: 6, syscall: 2, mount: 3, egress: 2 });
  });

  it('records the real complain-mode samples of the corpus for their profiles', () => {
    const lspci = new ModelRecorder({ profileName: 'lspci', observe });
    const dbus = new ModelRecorder({ profileName: 'dbus-session', observe });
    for (const event of decode(SAMPLES)) {
      lspci.record(event);
      dbus.record(event);
    }
    expect(lspci.dynamicResult()).toEqual({ appArmor: { profiles: ['lspci'], files: [{ path: '/run/modprobe.d/', owner: false, permissions: ['r'] }] } });
    expect(dbus.dynamicResult()).toEqual({
      appArmor: { profiles: ['dbus-session'], capabilities: ['net_admin'], networks: { sockets: [{ domain: 'netlink', type: 'raw', protocol: '9' }] } },
    });
  });

  it('takes unlabelled seccomp LOG events only when told to (seccomp alone names no profile)', () => {
    const line = SAMPLES.find((l) => l.includes('type=1326') && l.includes('syscall=13 '))!;
    const [event] = decode([line]);
    const strict = new ModelRecorder({ profileName: PROFILE, observe });
    const local = new ModelRecorder({ profileName: PROFILE, observe, unattributed: ['Seccomp'] });
    strict.record(event!);
    local.record(event!);
    expect(strict.dynamicResult()).toEqual({});
    expect(local.dynamicResult()).toEqual({ seccomp: { syscalls: ['rt_sigaction'] } });
  });
});

const DEFENSE = `apiVersion: crd.varmor.org/v1beta1
kind: VarmorPolicy
metadata: {name: web, namespace: demo}
spec:
  target: {kind: Deployment, name: web}
  policy:
    enforcer: AppArmorSeccomp
    mode: DefenseInDepth
    defenseInDepth:
      appArmor: {profileType: BehaviorModel}
      seccomp: {profileType: BehaviorModel}
`;

describe('profiles from a recorded model', () => {
  it('written as YAML, read back, compiles to an AppArmor profile apparmor_parser accepts and a seccomp allow-list', async () => {
    const yaml = formatModel(modelDocument({ profileName: PROFILE, namespace: 'demo', dynamicResult: lastModel }));
    expect(formatModel(modelDocument({ profileName: PROFILE, namespace: 'demo', dynamicResult: lastModel }))).toBe(yaml);
    const { models, errors } = parseBehaviorModels(yaml, 'model.yaml');
    expect(errors).toEqual([]);
    const outcome = await checkPolicies(engine, [{ name: 'web.yaml', text: DEFENSE }], { models, verify: true });
    expect(outcome.errors).toEqual([]);
    const [checked] = outcome.checked;
    const apparmorText = checked!.artifacts.find((a) => a.enforcer === 'AppArmor')!.files[0]!.content;
    for (const line of [
      '/usr/bin/python3.11 ix,',
      '/srv/www/index.html rw,',
      'owner /usr/lib/x86_64-linux-gnu/** mr,',
      'owner /tmp/** w,',
      'capability net_bind_service,',
      'network inet stream,',
      'ptrace (read) peer=unconfined,',
      'signal (send) set=(term) peer=unconfined,',
      'mount fstype=tmpfs -> /mnt/cache/,',
    ]) expect(apparmorText).toContain(`  ${line}\n`);
    expect(apparmorText).not.toMatch(/^\s*network,$/m);
    const seccompProfile = checked!.artifacts.find((a) => a.enforcer === 'Seccomp')!.data as { defaultAction: string; syscalls: { names: string[] }[] };
    expect(seccompProfile.defaultAction).toBe('SCMP_ACT_ERRNO');
    expect(seccompProfile.syscalls.flatMap((rule) => rule.names)).toEqual(['open', 'openat', 'openat2', 'close', 'read', 'write', 'accept4', 'epoll_wait']);
  });
});
