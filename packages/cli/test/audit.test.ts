import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../src/main.js';

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

  it('refuses a missing file with exit 2', async () => {
    expect((await run(['audit', join(scratch, 'nope.log')])).code).toBe(2);
  });
});
