import { spawn } from 'node:child_process';
import { appendFileSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

// `armorkit audit --follow FILE` as an operator runs it on a node: lines appended later come out as events while it
// keeps running (the sink batches writes, but never past the current turn of the event loop), a truncated or
// rotated file (another inode) is read again from its start, and SIGTERM ends it with its summary.
const CLI = new URL('../src/bin.ts', import.meta.url).pathname;
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const scratch = mkdtempSync(join(tmpdir(), 'armorkit-audit-follow-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const avc = (serial: number, name: string) =>
  `type=AVC msg=audit(1774097632.158:${serial}): apparmor="DENIED" operation="open" class="file" profile="varmor-shop-web" name="${name}" pid=4242 comm="cat" requested_mask="r" denied_mask="r" fsuid=0 ouid=0\n`;

describe('armorkit audit --follow', { timeout: 60_000 }, () => {
  it('prints events for lines appended later, starts over after truncation, and ends on SIGTERM with a summary', async () => {
    const log = join(scratch, 'audit.log');
    writeFileSync(log, avc(1, '/etc/first'));
    const child = spawn(process.execPath, ['--conditions=source', '--import', TSX, CLI, 'audit', '--follow', log], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
    const nextName = async () => {
      const { value } = await lines.next();
      return ((JSON.parse(value as string) as { event: { name: string } }).event.name);
    };
    try {
      expect(await nextName()).toBe('/etc/first');
      appendFileSync(log, `type=SYSCALL msg=audit(1774097632.158:2): arch=c000003e syscall=257 success=no\n${avc(3, '/etc/second')}`);
      expect(await nextName()).toBe('/etc/second');
      writeFileSync(log, avc(4, '/etc/after-truncation'));
      expect(await nextName()).toBe('/etc/after-truncation');
      // logrotate's way: the file is renamed away and a new one (here already longer than what was read) takes its name.
      renameSync(log, `${log}.1`);
      writeFileSync(`${log}.new`, avc(5, '/etc/rotated-a') + avc(6, '/etc/rotated-b') + avc(7, '/etc/rotated-c'));
      renameSync(`${log}.new`, log);
      expect([await nextName(), await nextName(), await nextName()]).toEqual(['/etc/rotated-a', '/etc/rotated-b', '/etc/rotated-c']);
    } finally {
      child.kill('SIGTERM');
    }
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code).toBe(0);
    expect(stderr).toMatch(/7 line\(s\), 6 violation event\(s\): 6 DENIED/);
  });

  it('skips a line that keeps growing past 64 KiB as it is appended, with one warning, and reads the lines after it', async () => {
    const log = join(scratch, 'growing.log');
    writeFileSync(log, avc(1, '/etc/before'));
    const child = spawn(process.execPath, ['--conditions=source', '--import', TSX, CLI, 'audit', '--follow', log], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
    const next = async () => JSON.parse((await lines.next()).value as string) as { event?: { name: string }; code?: string; line?: number; offset?: number };
    try {
      expect((await next()).event?.name).toBe('/etc/before');
      // A line without its newline, appended 40 KiB at a time across several polls of the follower.
      appendFileSync(log, 'type=AVC msg=audit(1774097632.158:2): apparmor="DENIED" name="/');
      for (let i = 0; i < 6; i++) {
        appendFileSync(log, 'z'.repeat(40 * 1024));
        await new Promise((resolve) => setTimeout(resolve, 300));
      }
      expect(await next()).toMatchObject({ code: 'AUDIT_LINE_TOO_LONG', source: log, line: 2, offset: avc(1, '/etc/before').length });
      appendFileSync(log, `"\n${avc(3, '/etc/after')}`);
      expect((await next()).event?.name).toBe('/etc/after');
    } finally {
      child.kill('SIGTERM');
    }
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code).toBe(0);
    expect(stderr).toMatch(/3 line\(s\), 2 violation event\(s\): 2 DENIED, 0 AUDIT, 0 ALLOWED, 0 AUDIT\|ALLOWED; 1 line\(s\) longer than 65536 bytes skipped/);
  });
});
