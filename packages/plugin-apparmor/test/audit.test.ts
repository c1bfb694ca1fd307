import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { auditRecordDecoder, decodeHex } from '@armorkit/core/audit';
import { appArmorAuditRecord } from '../src/audit/apparmor-record.js';

const records = auditRecordDecoder(appArmorAuditRecord);
const decodeAppArmorRecord = (line: string) => records.decodeLine(line);
import { engine } from './helpers.js';

const samples = readFileSync(new URL('../../../../shared/corpus/audit/samples.log', import.meta.url).pathname, 'utf8').split('\n');
const index = readFileSync(new URL('../../../../shared/corpus/audit/samples.index.tsv', import.meta.url).pathname, 'utf8')
  .split('\n')
  .slice(1)
  .filter(Boolean)
  .map((row) => row.split('\t'))
  .map(([line, kind, format, , note]) => ({ line: Number(line), kind, format, note: note ?? '' }));

describe('AppArmor audit records', () => {
  it.each(index.filter((row) => row.kind === 'apparmor' && !row.note.startsWith('non-denial')))('decodes sample $line ($format)', ({ line }) => {
    const event = decodeAppArmorRecord(samples[line - 1] as string);
    expect(event?.enforcer).toBe('AppArmor');
    expect(['DENIED', 'ALLOWED', 'AUDIT']).toContain(event?.action);
    expect(event?.event.operation).toEqual(expect.any(String));
    expect(event?.pid).toBeGreaterThan(0);
  });

  it('skips STATUS records and seccomp records', () => {
    expect(decodeAppArmorRecord(samples[13] as string)).toBeUndefined();
    for (const row of index.filter((r) => r.kind === 'seccomp')) expect(decodeAppArmorRecord(samples[row.line - 1] as string)).toBeUndefined();
  });

  it('reads the fields of a kern.log file record', () => {
    const event = decodeAppArmorRecord(samples[1] as string);
    expect(event).toMatchObject({
      pid: 19873,
      eventTimestamp: 1644606172,
      action: 'DENIED',
      profileName: 'snap.kube-apiserver.daemon',
      event: { operation: 'mkdir', name: '/run/kubernetes/', requested_mask: 'c', denied_mask: 'c', fsuid: 0, ouid: 0, comm: 'kube-apiserver', auditID: '1644606172.026:81' },
    });
  });

  it('reads capability, network and signal records', () => {
    expect(decodeAppArmorRecord(samples[24] as string)?.event).toMatchObject({ operation: 'capable', capability: 13, capname: 'net_raw', class: 'cap' });
    expect(decodeAppArmorRecord(samples[0] as string)?.event).toMatchObject({ family: 'unix', sock_type: 'dgram', protocol: 0, addr: 'none' });
    expect(decodeAppArmorRecord(samples[19] as string)?.event).toMatchObject({ operation: 'signal', signal: 'kill', peer: '/usr/bin/docker' });
  });

  it('reads ALLOWED (complain) and enriched auditd records', () => {
    const allowed = decodeAppArmorRecord(samples[21] as string);
    expect(allowed).toMatchObject({ action: 'ALLOWED', profileName: 'lspci', eventTimestamp: 1717430600 });
    expect(allowed?.event).toMatchObject({ ouid: 0, FSUID: 'remorin', OUID: 'root' });
    // The 0x1d separator was lost in this sample: ouid=1000FSUID="murmelgrumpf".
    expect(decodeAppArmorRecord(samples[20] as string)?.event).toMatchObject({ ouid: 1000, FSUID: 'murmelgrumpf' });
  });

  it('decodes hex-encoded names, child profiles and audispd node names', () => {
    const line =
      'node=worker-1 type=AVC msg=audit(1700000000.123:42): apparmor="AUDIT" operation="open" profile="varmor-demo-demo-1//child_0" name=2F746D702F61206220 pid=7 comm=6D7920636F6D6D requested_mask="r" denied_mask="r" fsuid=0 ouid=0 extra';
    expect(decodeAppArmorRecord(line)).toMatchObject({
      nodeName: 'worker-1',
      action: 'AUDIT',
      profileName: 'varmor-demo-demo-1',
      eventTimestamp: 1700000000,
      event: { name: '/tmp/a b ', comm: 'my comm', childProfile: 'child_0' },
    });
    expect(decodeHex('ABC')).toBeUndefined();
    expect(decodeHex('2f')).toBeUndefined();
  });

  it('is reachable through the engine decodeAudit hook', () => {
    expect(engine().decodeAudit({ line: samples[14] as string, source: 'dmesg' })?.event.name).toBe('/usr/local/bin/sample-app');
  });

  it('decodes the same lines the same way every time (no state kept between lines)', () => {
    const lines = samples.filter(Boolean);
    const first = lines.map((line) => decodeAppArmorRecord(line));
    for (let round = 0; round < 3; round++) expect(lines.map((line) => decodeAppArmorRecord(line))).toEqual(first);
  });
});
