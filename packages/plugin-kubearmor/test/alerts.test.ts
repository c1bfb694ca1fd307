import { violationEvent } from '@armorkit/core/audit';
import { describe, expect, it } from 'vitest';
import { kubeArmorAlert } from '../src/alerts/alert.js';
import { matchEvent } from '../src/alerts/match-event.js';
import { globRegExp, pathMatches } from '../src/alerts/path-match.js';
import type { ParsedKubeArmorPolicy } from '../src/index.js';
import { ksp, parse } from './support/parse.js';

function policy(body: string, kind?: string): ParsedKubeArmorPolicy {
  const { policies, errors } = parse(ksp(body, kind));
  expect(errors).toEqual([]);
  const [first] = policies;
  if (!first) throw new Error('no policy');
  return first;
}

/** What plugin-bpf's decoder (violationFromRecord) makes of a ring-buffer record. */
const bpfEvent = (action: 'DENIED' | 'AUDIT', event: Record<string, unknown>) =>
  violationEvent({ pid: 321, mntNsID: 4026532175, eventTimestamp: 1_700_000_005, enforcer: 'BPF', action, profileName: 'kubearmor-demo-test', event });
/** What plugin-apparmor's decoder makes of an `apparmor=` record. */
const appArmorEvent = (action: 'DENIED' | 'AUDIT', event: Record<string, unknown>) =>
  violationEvent({ pid: 77, eventTimestamp: 1_700_000_000, enforcer: 'AppArmor', action, profileName: 'kubearmor-demo-test', event });

describe('KubeArmor alert matching (reference §2.3, §2.4, feeder/policyMatcher.go)', () => {
  it('directories: non-recursive covers direct children only; recursive all below; both the directory itself', () => {
    expect(pathMatches({ kind: 'dir', dir: '/etc/', recursive: false }, '/etc/hosts')).toBe(true);
    expect(pathMatches({ kind: 'dir', dir: '/etc/', recursive: false }, '/etc/ssl/certs/x')).toBe(false);
    expect(pathMatches({ kind: 'dir', dir: '/etc/', recursive: true }, '/etc/ssl/certs/x')).toBe(true);
    expect(pathMatches({ kind: 'dir', dir: '/etc/', recursive: false }, '/etc')).toBe(true);
    expect(pathMatches({ kind: 'execname', name: 'sleep' }, '/usr/bin/sleep')).toBe(true);
  });

  it('patterns are AppArmor globs', () => {
    expect(globRegExp('/home/*/secret*').test('/home/user1/secret_data1.txt')).toBe(true);
    expect(globRegExp('/home/*/secret*').test('/home/user1/dir1/secret')).toBe(false);
    expect(globRegExp('/etc/**').test('/etc/ssl/certs/x')).toBe(true);
    expect(globRegExp('/usr/bin/{ls,cat}').test('/usr/bin/cat')).toBe(true);
    expect(globRegExp('/tmp/[^a]*').test('/tmp/abc')).toBe(false);
    expect(globRegExp('/a.b?').test('/axbc')).toBe(false);
  });

  it('a BPF exec denial: the first Block rule that covers it, its severity, tags and message', () => {
    const parsed = policy(
      '  selector:\n    matchLabels: {app: x}\n  process:\n    matchDirectories:\n      - dir: /usr/bin/\n        action: Audit\n        severity: 2\n    matchPaths:\n      - path: /usr/bin/sleep\n        severity: 9\n        tags: [T1]\n        message: no sleep\n',
    );
    const event = bpfEvent('DENIED', { operation: 'Bprm', permissions: ['exec'], path: '/usr/bin/sleep', comm: 'bash' });
    const match = matchEvent(event, parsed);
    // The matcher goes in KubeArmor's order (process paths before directories), first Audit or Block wins.
    expect(match).toEqual({
      type: 'MatchedPolicy',
      policyName: 'test',
      severity: '9',
      tags: ['T1'],
      message: 'no sleep',
      action: 'Block',
      pointer: '/spec/process/matchPaths/0',
      operation: 'Process',
      resource: '/usr/bin/sleep',
      data: 'lsm=SECURITY_BPRM_CHECK',
      source: 'bash',
      result: 'Operation not permitted',
    });
    const alert = kubeArmorAlert({ ...event, policyKind: 'KubeArmorPolicy', policyName: 'test', policyNamespace: 'demo', ...(match ? { dialectEvent: { kubearmor: match } } : {}) });
    expect(alert).toMatchObject({ Enforcer: 'BPFLSM', Operation: 'Process', Resource: '/usr/bin/sleep', Action: 'Block', Result: 'Operation not permitted', NamespaceName: 'demo', EventData: { Lsm: 'SECURITY_BPRM_CHECK' } });
  });

  it('fromSource: an AppArmor child-profile event is the source whose base name is the command', () => {
    const parsed = policy('  selector:\n    matchLabels: {app: x}\n  process:\n    matchPaths:\n      - path: /usr/bin/date\n        fromSource:\n          - path: /usr/bin/bash\n');
    const inChild = appArmorEvent('DENIED', { operation: 'exec', name: '/usr/bin/date', comm: 'bash', childProfile: 'child_0', requested_mask: 'x', denied_mask: 'x' });
    expect(matchEvent(inChild, parsed)).toMatchObject({ policyName: 'test', action: 'Block', source: '/usr/bin/bash' });
    // The same exec outside the child profile is not the fromSource rule's: a denial there is the posture's (as
    // KubeArmor names an AppArmor denial no rule matches), what passed a log.
    const outside = appArmorEvent('DENIED', { operation: 'exec', name: '/usr/bin/date', comm: 'sh', requested_mask: 'x', denied_mask: 'x' });
    expect(matchEvent(outside, parsed)).toMatchObject({ type: 'MatchedPolicy', policyName: 'DefaultPosture', severity: '', action: 'Block' });
    const passed = appArmorEvent('AUDIT', { operation: 'exec', name: '/usr/bin/date', comm: 'sh', requested_mask: 'x', denied_mask: 'x' });
    expect(matchEvent(passed, parsed)).toMatchObject({ type: 'ContainerLog', policyName: '', action: '' });
  });

  it('fromSource: one binary at two paths (merged /usr) is the source whose rules cover the event', () => {
    // kubearmor-dev-next_test_04: the record names the child profile only, and both sources are `bash`.
    const parsed = policy(
      '  selector:\n    matchLabels: {app: x}\n  severity: 5\n  process:\n    matchPaths:\n      - path: /bin/date\n        fromSource:\n          - path: /bin/bash\n      - path: /usr/bin/date\n        fromSource:\n          - path: /usr/bin/bash\n',
    );
    const denied = appArmorEvent('DENIED', { operation: 'exec', name: '/usr/bin/date', comm: 'bash', childProfile: 'child_1', requested_mask: 'x', denied_mask: 'x' });
    expect(matchEvent(denied, parsed)).toMatchObject({ policyName: 'test', severity: '5', action: 'Block', source: '/usr/bin/bash', pointer: '/spec/process/matchPaths/1' });
    const other = appArmorEvent('DENIED', { operation: 'exec', name: '/bin/date', comm: 'bash', childProfile: 'child_0', requested_mask: 'x', denied_mask: 'x' });
    expect(matchEvent(other, parsed)).toMatchObject({ source: '/bin/bash', pointer: '/spec/process/matchPaths/0' });
  });

  it('an Allow readOnly rule reports a denied write as Block; an unlisted file under whitelist is DefaultPosture; a host policy says MatchedHostPolicy', () => {
    const parsed = policy('  selector:\n    matchLabels: {app: x}\n  file:\n    matchPaths:\n      - path: /credentials/password\n        readOnly: true\n        action: Allow\n        severity: 4\n');
    const write = appArmorEvent('DENIED', { operation: 'open', name: '/credentials/password', comm: 'sh', requested_mask: 'w', denied_mask: 'w' });
    expect(matchEvent(write, parsed)).toMatchObject({ policyName: 'test', severity: '4', action: 'Block', result: 'Permission denied' });
    const other = appArmorEvent('AUDIT', { operation: 'open', name: '/etc/hosts', comm: 'cat', requested_mask: 'r', denied_mask: 'r' });
    expect(matchEvent(other, parsed)).toMatchObject({ policyName: 'DefaultPosture', severity: '', action: 'Audit', result: 'Passed' });
    // What the Allow rule let through (logged under posture alerts) is a log, no alert, as KubeArmor drops it.
    const allowed = appArmorEvent('AUDIT', { operation: 'open', name: '/credentials/password', comm: 'cat', requested_mask: 'r', denied_mask: 'r' });
    expect(matchEvent(allowed, parsed)).toMatchObject({ type: 'ContainerLog', policyName: '', action: '' });
    // A write that passed (the audit posture) is outside the readOnly Allow: the posture's.
    const written = appArmorEvent('AUDIT', { operation: 'open', name: '/credentials/password', comm: 'sh', requested_mask: 'wc', denied_mask: 'wc' });
    expect(matchEvent(written, parsed)).toMatchObject({ policyName: 'DefaultPosture', action: 'Audit', result: 'Passed' });
    // ownerOnly: another user's file is outside the Allow.
    const owned = policy('  selector:\n    matchLabels: {app: x}\n  file:\n    matchPaths:\n      - {path: /home/user1/secret_data1.txt, ownerOnly: true, action: Allow}\n');
    const openAs = (fsuid: number) => appArmorEvent('AUDIT', { operation: 'open', name: '/home/user1/secret_data1.txt', comm: 'cat', requested_mask: 'r', denied_mask: 'r', fsuid, ouid: 1000 });
    expect(matchEvent(openAs(1000), owned)).toMatchObject({ type: 'ContainerLog' });
    expect(matchEvent(openAs(0), owned)).toMatchObject({ policyName: 'DefaultPosture', action: 'Audit' });
    const host = policy('  nodeSelector:\n    matchLabels: {kubernetes.io/hostname: n1}\n  file:\n    matchPaths:\n      - path: /etc/hostname\n', 'KubeArmorHostPolicy');
    const read = bpfEvent('DENIED', { operation: 'File', permissions: ['read'], path: '/etc/hostname', comm: 'cat' });
    const hostMatch = matchEvent(read, host);
    expect(hostMatch).toMatchObject({ type: 'MatchedHostPolicy', action: 'Block', data: 'lsm=FILE permissions=read' });
    expect(kubeArmorAlert({ ...read, ...(hostMatch ? { dialectEvent: { kubearmor: hostMatch } } : {}) })).toMatchObject({ Type: 'MatchedHostPolicy', PID: 321, HostPID: 321 });
  });

  it('network: a BPF socket event against protocol rules', () => {
    const parsed = policy('  selector:\n    matchLabels: {app: x}\n  network:\n    matchProtocols:\n      - protocol: raw\n        action: Block\n      - protocol: icmp\n        action: Audit\n');
    const raw = bpfEvent('DENIED', { operation: 'Network', type: 'socket', socket: { domain: 'AF_INET', type: 'SOCK_RAW', protocol: 'IPPROTO_ICMP' }, comm: 'ping' });
    expect(matchEvent(raw, parsed)).toMatchObject({ action: 'Block', pointer: '/spec/network/matchProtocols/0', resource: 'domain=AF_INET type=SOCK_RAW protocol=ICMP' });
    const dgram = bpfEvent('AUDIT', { operation: 'Network', type: 'socket', socket: { domain: 'AF_INET', type: 'SOCK_DGRAM', protocol: 'IPPROTO_ICMP' }, comm: 'ping' });
    expect(matchEvent(dgram, parsed)).toMatchObject({ action: 'Audit', pointer: '/spec/network/matchProtocols/1' });
  });
});
