import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../src/main.js';
import { armorkit } from './cli-process.js';

const REPO = new URL('../../../', import.meta.url).pathname;
const SAMPLES = join(REPO, '../shared/corpus/audit/samples.log');
const scratch = mkdtempSync(join(tmpdir(), 'armorkit-audit-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

async function run(args: string[]) {
  let err = '';
  const code = await main(args, { out: () => undefined, err: (t) => (err += t + '\n'), cwd: scratch });
  return { code, err };
}

function events(log: string): Record<string, unknown>[] {
  return readFileSync(log, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('armorkit audit', () => {
  it('decodes every violation of the real samples and skips STATUS records', async () => {
    const log = join(scratch, 'samples.jsonl');
    const { code, err } = await run(['audit', SAMPLES, '--log', log]);
    expect(code).toBe(0);
    const written = events(log);
    const summary = /(\d+) line\(s\), (\d+) violation event\(s\)/.exec(err)!;
    expect(Number(summary[1])).toBe(35);
    expect(written).toHaveLength(Number(summary[2]));
    expect(written.filter((e) => e.enforcer === 'AppArmor')).toHaveLength(24);
    expect(written.filter((e) => e.enforcer === 'Seccomp')).toHaveLength(10);
    expect(written).toHaveLength(34); // every line but the STATUS record
    expect(written.every((e) => e.message === 'violation event' && e.level === 'warn')).toBe(true);
  });

  it('names the policy of each event from --policies', async () => {
    const line =
      'type=AVC msg=audit(1774097632.158:176560): apparmor="DENIED" operation="open" class="file" profile="varmor-shop-web-frontend//child_0" name="/etc/hostname" pid=4242 comm="cat" requested_mask="r" denied_mask="r" fsuid=0 ouid=0';
    const input = join(scratch, 'audit.log');
    writeFileSync(input, `${line}\ntype=SYSCALL msg=audit(1774097632.158:176560): arch=c000003e syscall=257 success=no\n`);
    const log = join(scratch, 'attributed.jsonl');
    const { code } = await run(['audit', input, '--log', log, '--policies', join(REPO, 'examples/policies')]);
    expect(code).toBe(0);
    expect(events(log)).toEqual([
      expect.objectContaining({
        enforcer: 'AppArmor',
        action: 'DENIED',
        pid: 4242,
        eventTimestamp: 1774097632,
        profileName: 'varmor-shop-web-frontend',
        policyKind: 'VarmorPolicy',
        policyName: 'web-frontend',
        policyNamespace: 'shop',
      }),
    ]);
  });

  it('skips a line over 64 KiB with one warning in the log, decodes the lines around it, and counts it in the summary', async () => {
    const avc = (serial: number, name: string) =>
      `type=AVC msg=audit(1774097632.158:${serial}): apparmor="DENIED" operation="open" class="file" profile="varmor-shop-web" name="${name}" pid=4242 comm="cat" requested_mask="r" denied_mask="r" fsuid=0 ouid=0`;
    // A forged record padded past the cap: its first 64 KiB alone would read as a denial of /etc/forged.
    const forged = `${avc(2, '/etc/forged')} ${'x'.repeat(3 << 20)} profile="varmor-other"`;
    const input = join(scratch, 'over-long.log');
    writeFileSync(input, [avc(1, '/etc/first'), forged, avc(3, '/etc/third'), `${avc(4, '/etc/last')} ${'y'.repeat(70_000)}`].join('\n'));
    const log = join(scratch, 'over-long.jsonl');
    const { code, err } = await run(['audit', input, '--log', log]);
    expect(code).toBe(0);
    // A warning is written when its line is found, so it may come before the events of the lines before it.
    const written = events(log);
    expect(written.filter((line) => line.message === 'violation event').map((line) => (line.event as { name: string }).name)).toEqual(['/etc/first', '/etc/third']);
    const offsets = [0, 1, 2, 3].map((i) => [avc(1, '/etc/first'), forged, avc(3, '/etc/third')].slice(0, i).reduce((sum, line) => sum + line.length + 1, 0));
    expect(written.filter((line) => line.code !== undefined)).toEqual([
      expect.objectContaining({ level: 'warn', code: 'AUDIT_LINE_TOO_LONG', source: input, line: 2, offset: offsets[1] }),
      expect.objectContaining({ level: 'warn', code: 'AUDIT_LINE_TOO_LONG', source: input, line: 4, offset: offsets[3] }),
    ]);
    expect(err).toContain('4 line(s), 2 violation event(s): 2 DENIED, 0 AUDIT, 0 ALLOWED, 0 AUDIT|ALLOWED; 2 line(s) longer than 65536 bytes skipped');
  });

  it('skips an over-long line of standard input (\\r\\n line ends) the same way, naming the source "-"', () => {
    const avc = (name: string) =>
      `type=AVC msg=audit(1774097632.158:1): apparmor="DENIED" operation="open" class="file" profile="p" name="${name}" pid=1 comm="cat" requested_mask="r" denied_mask="r" fsuid=0 ouid=0`;
    const lines = [avc('/etc/a'), avc(`/${'w'.repeat(65_536)}`), avc('/etc/b')];
    const run = armorkit(['audit', '-'], { cwd: scratch, input: `${lines.join('\r\n')}\r\n` });
    expect(run.status).toBe(0);
    const written = run.stdout.trim().split('\n').map((line) => JSON.parse(line) as { code?: string; source?: string; line?: number; offset?: number; event?: { name: string } });
    expect(written.filter((line) => line.event).map((line) => line.event?.name)).toEqual(['/etc/a', '/etc/b']);
    expect(written.filter((line) => line.code)).toEqual([expect.objectContaining({ code: 'AUDIT_LINE_TOO_LONG', source: '-', line: 2, offset: avc('/etc/a').length + 2 })]);
    expect(run.stderr).toContain('3 line(s), 2 violation event(s)');
  });

  it('refuses a missing file with exit 2', async () => {
    expect((await run(['audit', join(scratch, 'nope.log')])).code).toBe(2);
  });
});
