import fc from 'fast-check';
import { violationEventSchema } from '@armorkit/core/audit';
import { describe, expect, it } from 'vitest';
import { auditRecordDecoder } from '@armorkit/core/audit';
import { seccompAuditRecord } from '../src/audit/seccomp-record.js';

const records = auditRecordDecoder(seccompAuditRecord);
const decodeSeccompRecord = (line: string) => records.decodeLine(line);

const STAMP = 'type=SECCOMP msg=audit(1700000000.123:42):';
const TASK = 'auid=1000 uid=1000 gid=1000 ses=2';
const record = (fields: string, head = STAMP): string =>
  `${head} ${TASK} ${fields} pid=77 comm="curl" exe="/usr/bin/curl" sig=0 arch=c000003e syscall=41 compat=0 ip=0x7f0000001234 code=0x7ffc0000`;

describe('seccomp audit record decoding', () => {
  it('takes the profile from an AppArmor subj= label, and only from one', () => {
    expect(decodeSeccompRecord(record('subj=varmor-demo-demo-5 (enforce)'))).toMatchObject({
      profileName: 'varmor-demo-demo-5',
      event: { subj: 'varmor-demo-demo-5 (enforce)', pid: 77 },
    });
    expect(decodeSeccompRecord(record('subj=varmor-demo-demo-1//child_0 (complain)'))?.profileName).toBe('varmor-demo-demo-1');
    expect(decodeSeccompRecord(record('subj=unconfined'))?.profileName).toBe('');
    expect(decodeSeccompRecord(record('subj=system_u:system_r:container_t:s0:c1,c2'))?.profileName).toBe('');
  });

  it('skips unknown fields anywhere and trailing fields such as stacked LSM subjects', () => {
    const line = `${record('subj=varmor-x (enforce) newfield=1 flag')} subj_apparmor=varmor-x (enforce) subj_selinux=system_u:system_r:spc_t:s0 extra="a b"`;
    expect(decodeSeccompRecord(line)).toMatchObject({ profileName: 'varmor-x', event: { subj: 'varmor-x (enforce)', syscall: 'socket', code: '0x7ffc0000' } });
  });

  it('reads ENRICHED records with the 0x1d separator, printed as ^], or lost', () => {
    const enriched = 'AUID="alice" UID="alice" GID="alice" ARCH=x86_64 SYSCALL=socket';
    for (const separator of ['\x1d', '^]', '']) {
      expect(decodeSeccompRecord(`${record('subj=unconfined')}${separator}${enriched}`)?.event).toMatchObject({ code: '0x7ffc0000', syscall: 'socket', auid: 1000 });
    }
  });

  it('names i386 and x32 system calls by auditd ENRICHED names when our tables lack the ABI, else keeps the number', () => {
    const i386 = `${STAMP} ${TASK} pid=1 comm="a" exe="/a" sig=31 arch=40000003 syscall=224 compat=0 ip=0xb7f15549 code=0x0\x1dARCH=i386 SYSCALL=gettid`;
    expect(decodeSeccompRecord(i386)?.event).toMatchObject({ arch: 'i386', syscall: 'gettid', syscallNumber: 224 });
    const x32 = record('').replace('syscall=41', 'syscall=1073741825');
    expect(decodeSeccompRecord(x32)?.event).toMatchObject({ arch: 'x86_64', syscall: '1073741825', syscallNumber: 1073741825 });
    const unknownArch = record('').replace('arch=c000003e', 'arch=c00000f3');
    expect(decodeSeccompRecord(unknownArch)?.event).toMatchObject({ arch: 'c00000f3', syscall: '41' });
  });

  it('decodes hex-encoded comm and exe (audit_log_untrustedstring)', () => {
    const line = record('').replace('comm="curl"', 'comm=6D7920636F6D6D').replace('exe="/usr/bin/curl"', 'exe=2F746D702F61206220');
    expect(decodeSeccompRecord(line)?.event).toMatchObject({ comm: 'my comm', exe: '/tmp/a b ' });
  });

  it.each([
    ['0x80000000', 'KILL_PROCESS', 'DENIED'],
    ['0x0', 'KILL_THREAD', 'DENIED'],
    ['0x30000', 'TRAP', 'DENIED'],
    ['0x50000', 'ERRNO', 'DENIED'],
    ['0x7fc00000', 'USER_NOTIF', 'AUDIT'],
    ['0x7ff00000', 'TRACE', 'AUDIT'],
    ['0x7ffc0000', 'LOG', 'AUDIT|ALLOWED'],
    ['0x7fff0000', 'ALLOW', 'ALLOWED'],
    // The kernel kills on an action it does not know.
    ['0x12340000', 'KILL_PROCESS', 'DENIED'],
  ])('maps code=%s to %s / %s', (code, seccompAction, action) => {
    const event = decodeSeccompRecord(record('').replace('code=0x7ffc0000', `code=${code}`));
    expect(event).toMatchObject({ action, event: { seccompAction, code } });
  });

  it('reports the errno of an ERRNO record only when the record carries it', () => {
    expect(decodeSeccompRecord(record('').replace('code=0x7ffc0000', 'code=0x50001'))?.event).toMatchObject({ seccompAction: 'ERRNO', errno: 1 });
    expect(decodeSeccompRecord(record('').replace('code=0x7ffc0000', 'code=0x50000'))?.event.errno).toBeUndefined();
  });

  it('reads every transport of the same record', () => {
    const body = `${TASK} pid=77 comm="curl" exe="/usr/bin/curl" sig=0 arch=c000003e syscall=41 compat=0 ip=0x7f0000001234 code=0x7ffc0000`;
    const heads = [
      'type=SECCOMP msg=audit(1700000000.123:42):',
      'node=worker-1 type=SECCOMP msg=audit(1700000000.123:42):',
      'Nov 14 22:13:20 worker-1 audispd[568]: node=worker-1 type=SECCOMP msg=audit(1700000000.123:42):',
      'audit: type=1326 audit(1700000000.123:42):',
      '[  270.853767] audit: type=1326 audit(1700000000.123:42):',
      '[  270.853767] type=1326 audit(1700000000.123:42):',
      'Nov 14 22:13:20 worker-1 kernel: [  270.853767] audit: type=1326 audit(1700000000.123:42):',
      'Nov 14 22:13:20 worker-1 kern.notice kernel: [  270.853767] audit: type=1326 audit(1700000000.123:42):',
    ];
    for (const head of heads) {
      expect(decodeSeccompRecord(`${head} ${body}`), head).toMatchObject({ eventTimestamp: 1700000000, event: { auditID: '1700000000.123:42', syscall: 'socket' } });
    }
    expect(decodeSeccompRecord(`${heads[1]} ${body}`)?.nodeName).toBe('worker-1');
    for (const head of ['Nov 14 22:13:20 worker-1 audit[77]: SECCOMP', 'audit[77]: SECCOMP', 'SECCOMP']) {
      expect(decodeSeccompRecord(`${head} ${body}`), head).toMatchObject({ eventTimestamp: 0, pid: 77, event: { auditID: '', syscall: 'socket' } });
    }
  });

  it('returns undefined for other records and for garbage', () => {
    const lines = [
      '',
      ' ',
      '=',
      '"',
      'type=1326',
      'type=SECCOMP msg=audit(',
      'SECCOMP',
      'audit: type=1326 audit(1.2:3): syscall=1',
      record('').replace(' code=0x7ffc0000', ''),
      record('').replace(' arch=c000003e', ''),
      record('').replace('syscall=41', 'syscall=x'),
      'type=SYSCALL msg=audit(1700000000.123:42): arch=c000003e syscall=2 success=no exit=-13 pid=1 auid=0 uid=0 comm="type=SECCOMP" exe="/x" code=0x0',
      'type=AVC msg=audit(1700000000.123:42): apparmor="DENIED" operation="open" profile="p" name="/tmp/type=1326 auid=1 arch=c000003e syscall=1 code=0x0" pid=1',
      'Nov 14 22:13:20 host sshd[1]: Accepted publickey for root',
      'type=PROCTITLE msg=audit(1700000000.123:42): proctitle=636174002F6574632F736861646F77',
    ];
    for (const line of lines) expect(decodeSeccompRecord(line), JSON.stringify(line)).toBeUndefined();
  });

  it('never throws, and whatever it decodes is a valid ViolationEvent', () => {
    const real = record('subj=varmor-demo-demo-5 (enforce)');
    const pieces = fc.constantFrom('type=SECCOMP ', 'type=1326 ', 'audit(', '):', ' ', '=', '"', '\x1d', '^]', 'SECCOMP ', 'subj=', ' (enforce)', 'code=0x', 'arch=c000003e', 'syscall=', 'AUID=', '0', '9', 'f', 'ABC');
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.array(pieces, { maxLength: 40 }).map((parts) => parts.join('')), fc.tuple(fc.nat(real.length), fc.nat(real.length), fc.string()).map(([at, cut, text]) => real.slice(0, at) + text + real.slice(Math.max(at, cut)))), (line) => {
        const event = decodeSeccompRecord(line);
        if (event !== undefined) expect(violationEventSchema.parse(event)).toStrictEqual(event);
      }),
      { numRuns: 3000 },
    );
  });
});
