import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../src/main.js';

// `armorkit audit --source`: an enforcer's own event channel. Reading the BPF ring buffer itself is a kernel test
// (packages/plugin-bpf/test/kernel/engine-channel.test.ts); here, the refusals a host without BPF-LSM gets.
const scratch = mkdtempSync(join(tmpdir(), 'armorkit-audit-source-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

async function run(args: string[]) {
  let err = '';
  const code = await main(args, { out: () => undefined, err: (t) => (err += t + '\n'), cwd: scratch });
  return { code, err };
}

const bpfLsmActive = existsSync('/sys/kernel/security/lsm') && readFileSync('/sys/kernel/security/lsm', 'utf8').split(',').includes('bpf');

describe('armorkit audit --source', () => {
  it.skipIf(bpfLsmActive)('bpf on a kernel without BPF-LSM: exit 2, says why, writes no log', async () => {
    const log = join(scratch, 'bpf.jsonl');
    const { code, err } = await run(['audit', '--source', 'bpf', '--log', log]);
    expect(code).toBe(2);
    expect(err).toMatch(/--source bpf: .*BPF-LSM/);
    expect(existsSync(log)).toBe(false);
  });

  it('an enforcer without a channel of its own: exit 2, points at the kernel log', async () => {
    const { code, err } = await run(['audit', '--source', 'apparmor']);
    expect(code).toBe(2);
    expect(err).toMatch(/--source apparmor: no installed plugin reads AppArmor events from a channel of their own; AppArmor events come from the kernel log/);
  });

  it('an unknown enforcer: exit 2, lists the known ones', async () => {
    const { code, err } = await run(['audit', '--source', 'selinux']);
    expect(code).toBe(2);
    expect(err).toMatch(/unknown enforcer "selinux"/);
  });
});
