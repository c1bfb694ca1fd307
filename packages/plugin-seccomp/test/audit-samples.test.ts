import { readFileSync } from 'node:fs';
import { violationEventSchema, type ViolationEvent } from '@armorkit/core/audit';
import { describe, expect, it } from 'vitest';
import { auditRecordDecoder } from '@armorkit/core/audit';
import { seccompAuditRecord } from '../src/audit/seccomp-record.js';

const records = auditRecordDecoder(seccompAuditRecord);
const decodeSeccompRecord = (line: string) => records.decodeLine(line);

const samples = readFileSync(new URL('../../../../shared/corpus/audit/samples.log', import.meta.url).pathname, 'utf8').split('\n');
const index = readFileSync(new URL('../../../../shared/corpus/audit/samples.index.tsv', import.meta.url).pathname, 'utf8')
  .split('\n')
  .slice(1)
  .filter(Boolean)
  .map((row) => row.split('\t'))
  .map(([line, kind, format]) => ({ line: Number(line), kind: kind ?? '', format: format ?? '' }));
const sample = (line: number): string => samples[line - 1] as string;

const NO_POD = { metadata: {}, podUID: '', podName: '', podNamespace: '', containerID: '', containerName: '', image: '', mntNsID: 0 };
const NO_POLICY = { policyKind: '', policyName: '', policyNamespace: '' };
const UNSET = 4294967295;

// Every seccomp line of samples.log, every field (line numbers as in samples.index.tsv).
const expected: Record<number, ViolationEvent> = {
  26: {
    ...NO_POD, ...NO_POLICY, nodeName: '', pid: 615549, eventTimestamp: 1611996299, enforcer: 'Seccomp', action: 'AUDIT|ALLOWED', profileName: '',
    event: {
      auditID: '1611996299.149:466250', epoch: 1611996299, subj: '', pid: 615549, comm: 'sh', exe: '/bin/busybox', syscall: 'write', syscallNumber: 1,
      arch: 'x86_64', sig: 0, compat: 0, ip: '0x7f61a81c5923', code: '0x7ffc0000', seccompAction: 'LOG', errno: undefined, auid: UNSET, uid: 0, gid: 0, ses: UNSET,
    },
  },
  27: {
    ...NO_POD, ...NO_POLICY, nodeName: '', pid: 4709, eventTimestamp: 1625740283, enforcer: 'Seccomp', action: 'AUDIT|ALLOWED', profileName: '',
    event: {
      auditID: '1625740283.502:574', epoch: 1625740283, subj: '', pid: 4709, comm: 'sh', exe: '/bin/busybox', syscall: 'rt_sigaction', syscallNumber: 13,
      arch: 'x86_64', sig: 0, compat: 0, ip: '0x7f3c012e467b', code: '0x7ffc0000', seccompAction: 'LOG', errno: undefined, auid: UNSET, uid: 0, gid: 0, ses: UNSET,
    },
  },
  28: {
    ...NO_POD, ...NO_POLICY, nodeName: '', pid: 2039886, eventTimestamp: 1613596317, enforcer: 'Seccomp', action: 'AUDIT|ALLOWED', profileName: '',
    event: {
      auditID: '1613596317.899:6461', epoch: 1613596317, subj: 'system_u:system_r:spc_t:s0:c284,c594', pid: 2039886, comm: 'ls', exe: '/bin/ls',
      syscall: 'close', syscallNumber: 3, arch: 'x86_64', sig: 0, compat: 0, ip: '0x7f62dce3d4c7', code: '0x7ffc0000', seccompAction: 'LOG', errno: undefined,
      auid: UNSET, uid: 0, gid: 0, ses: UNSET,
    },
  },
  29: {
    ...NO_POD, ...NO_POLICY, nodeName: '', pid: 72503, eventTimestamp: 1744780616, enforcer: 'Seccomp', action: 'AUDIT|ALLOWED', profileName: '',
    event: {
      auditID: '1744780616.598:836036', epoch: 1744780616, subj: 'system_u:system_r:container_t:s0:c83,c152', pid: 72503, comm: 'sh', exe: '/bin/dash',
      syscall: 'clone', syscallNumber: 56, arch: 'x86_64', sig: 0, compat: 0, ip: '0x7fe2ff5017be', code: '0x7ffc0000', seccompAction: 'LOG', errno: undefined,
      auid: UNSET, uid: 0, gid: 0, ses: UNSET,
    },
  },
  30: {
    ...NO_POD, ...NO_POLICY, nodeName: '', pid: 14974, eventTimestamp: 1641892294, enforcer: 'Seccomp', action: 'AUDIT|ALLOWED', profileName: '',
    event: {
      auditID: '1641892294.360:428', epoch: 1641892294, subj: '', pid: 14974, comm: 'runc:[2:INIT]', exe: '/', syscall: 'fchown', syscallNumber: 55,
      arch: 'aarch64', sig: 0, compat: 0, ip: '0x4adb20', code: '0x7ffc0000', seccompAction: 'LOG', errno: undefined, auid: UNSET, uid: 0, gid: 0, ses: UNSET,
    },
  },
  31: {
    ...NO_POD, ...NO_POLICY, nodeName: '', pid: 9952, eventTimestamp: 1529532759, enforcer: 'Seccomp', action: 'DENIED', profileName: '',
    event: {
      auditID: '1529532759.867:376', epoch: 1529532759, subj: '', pid: 9952, comm: 'bitwarden', exe: '/snap/bitwarden/4/app/bitwarden', syscall: 'chown',
      syscallNumber: 92, arch: 'x86_64', sig: 0, compat: 0, ip: '0x7f826f324307', code: '0x50000', seccompAction: 'ERRNO', errno: undefined,
      auid: 1000, uid: 1000, gid: 1000, ses: 3,
    },
  },
  32: {
    ...NO_POD, ...NO_POLICY, nodeName: '', pid: 53620, eventTimestamp: 1697147265, enforcer: 'Seccomp', action: 'DENIED', profileName: '',
    event: {
      auditID: '1697147265.298:78', epoch: 1697147265, subj: 'unconfined', pid: 53620, comm: 'fddev',
      exe: '/home/runner/work/firedancer/firedancer/build/native/gcc/bin/fddev', syscall: 'write', syscallNumber: 1, arch: 'x86_64', sig: 31, compat: 0,
      ip: '0x7fad80314a37', code: '0x80000000', seccompAction: 'KILL_PROCESS', errno: undefined, auid: UNSET, uid: 1000, gid: 1000, ses: UNSET,
    },
  },
  33: {
    // journald drops the audit(…) stamp: no event id, eventTimestamp 0.
    ...NO_POD, ...NO_POLICY, nodeName: '', pid: 7053, eventTimestamp: 0, enforcer: 'Seccomp', action: 'DENIED', profileName: '',
    event: {
      auditID: '', epoch: 0, subj: '', pid: 7053, comm: 'pyzor', exe: '/usr/bin/python2.7', syscall: 'setpriority', syscallNumber: 141, arch: 'x86_64',
      sig: 31, compat: 0, ip: '0x7f085ec6abf7', code: '0x0', seccompAction: 'KILL_THREAD', errno: undefined, auid: UNSET, uid: 998, gid: 998, ses: UNSET,
    },
  },
  34: {
    ...NO_POD, ...NO_POLICY, nodeName: '[reducted]', pid: 7743, eventTimestamp: 1611907092, enforcer: 'Seccomp', action: 'DENIED', profileName: '=untrusted',
    event: {
      auditID: '1611907092.540:26626', epoch: 1611907092, subj: '=untrusted (complain)', pid: 7743, comm: 'clang++',
      exe: '/usr/local/google/home/ukai/tmp/try-sample2/root/third_party/llvm-build/Release+Asserts/bin/clang', syscall: 'brk', syscallNumber: 12,
      arch: 'x86_64', sig: 31, compat: 0, ip: '0x7fa45496bcb7', code: '0x0', seccompAction: 'KILL_THREAD', errno: undefined,
      auid: 22776, uid: 22776, gid: 89939, ses: 11,
    },
  },
  35: {
    // i386: no table of ours, no ENRICHED name: the number stays.
    ...NO_POD, ...NO_POLICY, nodeName: '', pid: 814, eventTimestamp: 1739947623, enforcer: 'Seccomp', action: 'DENIED', profileName: '',
    event: {
      auditID: '1739947623.368:2', epoch: 1739947623, subj: 'kernel', pid: 814, comm: 'dhcpcd', exe: '/sbin/dhcpcd', syscall: '224', syscallNumber: 224,
      arch: 'i386', sig: 31, compat: 0, ip: '0xb7f15549', code: '0x0', seccompAction: 'KILL_THREAD', errno: undefined,
      auid: UNSET, uid: 141, gid: 141, ses: UNSET,
    },
  },
};

describe('seccomp audit records of samples.log', () => {
  const seccompRows = index.filter((row) => row.kind === 'seccomp');

  it('covers every seccomp line of the corpus', () => {
    expect(seccompRows.map((row) => row.line)).toEqual(Object.keys(expected).map(Number));
  });

  it.each(seccompRows)('decodes line $line ($format), every field', ({ line }) => {
    const event = decodeSeccompRecord(sample(line));
    expect(event).toStrictEqual(expected[line]);
    // violationEvent() does not re-validate: the schema must accept the event and return it unchanged.
    expect(violationEventSchema.parse(event)).toStrictEqual(event);
  });

  it('leaves every AppArmor line alone', () => {
    for (const row of index.filter((r) => r.kind === 'apparmor')) expect(decodeSeccompRecord(sample(row.line))).toBeUndefined();
  });

  it('serialises as vArmor violations.log fields, absent values left out', () => {
    const json = JSON.parse(JSON.stringify(decodeSeccompRecord(sample(31))));
    expect(Object.keys(json)).toEqual([
      'metadata', 'nodeName', 'podUID', 'podName', 'podNamespace', 'containerID', 'containerName', 'image', 'pid', 'mntNsID', 'eventTimestamp',
      'enforcer', 'action', 'profileName', 'policyKind', 'policyName', 'policyNamespace', 'event',
    ]);
    expect(Object.keys(json.event)).toEqual([
      'auditID', 'epoch', 'subj', 'pid', 'comm', 'exe', 'syscall', 'syscallNumber', 'arch', 'sig', 'compat', 'ip', 'code', 'seccompAction',
      'auid', 'uid', 'gid', 'ses',
    ]);
  });
});
