import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../src/main.js';

const REPO = new URL('../../../', import.meta.url).pathname;
const SAMPLES = readFileSync(join(REPO, '../shared/corpus/audit/samples.log'), 'utf8').split('\n');
const FIXTURES = new URL('./fixtures/kubearmor-alerts/', import.meta.url).pathname;
const scratch = mkdtempSync(join(tmpdir(), 'armorkit-audit-kubearmor-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/**
 * A real line of shared/corpus/audit/samples.log (1-based), with one edit: the profile (AppArmor `profile=`, seccomp
 * `subj=`) is the one armorkit loads for the KubeArmor policy, so the event is that policy's.
 */
function sample(line: number, profile: string): string {
  const text = SAMPLES[line - 1] ?? '';
  const edited = text.replace(/ profile="[^"]*"/, ` profile="${profile}"`).replace(/ subj=\S+/, ` subj=${profile} (enforce)`);
  if (edited === text) throw new Error(`sample ${line} names no profile`);
  return edited;
}

async function audit(lines: string[], format: string[] = ['--format', 'kubearmor']) {
  const input = join(scratch, 'kern.log');
  writeFileSync(input, lines.join('\n') + '\n');
  const out = join(scratch, `alerts-${Math.random().toString(36).slice(2)}.jsonl`);
  let err = '';
  const code = await main(['audit', input, '--log', out, '--policies', FIXTURES, '--quiet', ...format], { out: () => undefined, err: (t) => (err += t + '\n'), cwd: scratch });
  const text = code === 0 ? readFileSync(out, 'utf8') : '';
  return { code, err, text, alerts: text.trim() === '' ? [] : text.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>) };
}

describe('armorkit audit --format kubearmor (KubeArmor alert JSON from real audit lines)', () => {
  it('an AppArmor exec denial: the Block rule with its own severity and message, the spec tags', async () => {
    const { code, alerts, text } = await audit([sample(15, 'kubearmor-multiubuntu-ksp-block')]);
    expect(code).toBe(0);
    expect(alerts).toHaveLength(1);
    // Field by field, and in protobuf's order (what karmor logs --json prints), empty fields left out.
    expect(Object.keys(alerts[0] ?? {})).toEqual([
      'Timestamp', 'UpdatedTime', 'ClusterName', 'HostName', 'NamespaceName', 'HostPID', 'UID', 'ProcessName', 'PolicyName', 'Severity', 'Tags', 'ATags', 'Message',
      'Type', 'Source', 'Operation', 'Resource', 'Data', 'EventData', 'Enforcer', 'Action', 'Result',
    ]);
    expect(alerts[0]).toEqual({
      Timestamp: 1668191154,
      UpdatedTime: '2022-11-11T18:25:54.000000Z',
      ClusterName: 'default',
      HostName: expect.any(String),
      NamespaceName: 'multiubuntu',
      HostPID: 4166,
      UID: 65534,
      ProcessName: 'tini',
      PolicyName: 'ksp-block',
      Severity: '7',
      Tags: 'NIST,NIST_800-53_AU-2',
      ATags: ['NIST', 'NIST_800-53_AU-2'],
      Message: 'sample-app must not run',
      Type: 'MatchedPolicy',
      Source: 'tini',
      Operation: 'Process',
      Resource: '/usr/local/bin/sample-app',
      Data: 'operation=exec requested_mask=x denied_mask=x',
      EventData: { Operation: 'exec', Requested_mask: 'x', Denied_mask: 'x' },
      Enforcer: 'AppArmor',
      Action: 'Block',
      Result: 'Permission denied',
    });
    expect(text.endsWith('}\n')).toBe(true);
  });

  it('a file under an Audit directory rule, a capability, a seccomp-logged syscall', async () => {
    const { alerts } = await audit([sample(6, 'kubearmor-multiubuntu-ksp-block'), sample(25, 'kubearmor-multiubuntu-ksp-block'), sample(28, 'kubearmor-multiubuntu-ksp-audit-close')]);
    expect(alerts).toHaveLength(3);
    const [file, capability, syscall] = alerts;
    expect(file).toMatchObject({
      UID: 1000000,
      PolicyName: 'ksp-block',
      Severity: '5',
      Tags: 'MITRE',
      ATags: ['MITRE'],
      Message: 'a sensitive operation was attempted',
      Type: 'MatchedPolicy',
      Source: 'etcdctl',
      Operation: 'File',
      Resource: '/dev/null',
      Data: 'operation=file_lock requested_mask=k denied_mask=k',
      Enforcer: 'AppArmor',
      Action: 'Audit',
      Result: 'Permission denied',
    });
    expect(capability).toMatchObject({
      Timestamp: 1709727332,
      HostPID: 34335,
      PolicyName: 'ksp-block',
      Severity: '5',
      Tags: 'NIST,NIST_800-53_AU-2',
      Message: 'a sensitive operation was attempted',
      Operation: 'Capabilities',
      Resource: 'CAP_NET_RAW',
      Data: 'operation=capable capability=13 capname=net_raw',
      Enforcer: 'AppArmor',
      Action: 'Block',
      Result: 'Permission denied',
    });
    expect(syscall).toEqual({
      Timestamp: 1613596317,
      UpdatedTime: '2021-02-17T21:11:57.000000Z',
      ClusterName: 'default',
      HostName: expect.any(String),
      NamespaceName: 'multiubuntu',
      HostPID: 2039886,
      ProcessName: '/bin/ls',
      PolicyName: 'ksp-audit-close',
      Severity: '3',
      Message: 'close was called',
      Type: 'MatchedPolicy',
      Source: '/bin/ls',
      Operation: 'Syscall',
      Resource: 'SYS_CLOSE',
      Data: 'syscall=SYS_CLOSE',
      EventData: { Syscall: 'SYS_CLOSE' },
      Enforcer: 'Seccomp',
      Action: 'Audit',
      Result: 'Passed',
    });
  });

  it('a denial no rule accounts for is DefaultPosture Block, in a whitelisted class or not (as KubeArmor names AppArmor denials)', async () => {
    const { alerts } = await audit([sample(2, 'kubearmor-multiubuntu-ksp-allow-etc'), sample(1, 'kubearmor-multiubuntu-ksp-allow-etc'), sample(5, 'kubearmor-multiubuntu-ksp-allow-etc')]);
    // The ptrace denial (line 5) has no KubeArmor operation: no line.
    expect(alerts).toHaveLength(2);
    expect(alerts[0]).toMatchObject({ PolicyName: 'DefaultPosture', Type: 'MatchedPolicy', Operation: 'File', Resource: '/run/kubernetes/', Action: 'Block', Result: 'Permission denied' });
    expect(alerts[0]).not.toHaveProperty('Severity');
    expect(alerts[0]).not.toHaveProperty('Tags');
    // Network has no rule here: the denial is still the posture's, not a log.
    expect(alerts[1]).toEqual(
      expect.objectContaining({ PolicyName: 'DefaultPosture', Type: 'MatchedPolicy', Operation: 'Network', Resource: 'domain=AF_UNIX type=SOCK_DGRAM protocol=0', Enforcer: 'AppArmor', Action: 'Block', Result: 'Permission denied' }),
    );
  });

  it('the vArmor format carries the same match on the event (dialectEvent.kubearmor)', async () => {
    const { alerts } = await audit([sample(15, 'kubearmor-multiubuntu-ksp-block')], []);
    expect(alerts[0]).toMatchObject({
      policyKind: 'KubeArmorPolicy',
      policyName: 'ksp-block',
      policyNamespace: 'multiubuntu',
      dialectEvent: {
        kubearmor: { type: 'MatchedPolicy', policyName: 'ksp-block', severity: '7', tags: ['NIST', 'NIST_800-53_AU-2'], message: 'sample-app must not run', action: 'Block', pointer: '/spec/process/matchPaths/0' },
      },
    });
  });

  it('refuses an unknown format', async () => {
    const { code, err } = await audit([sample(15, 'kubearmor-multiubuntu-ksp-block')], ['--format', 'karmor']);
    expect(code).not.toBe(0);
    expect(err).toContain('--format: "karmor" is not one of varmor, kubearmor');
  });
});
