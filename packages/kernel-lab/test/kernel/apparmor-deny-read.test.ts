import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireKernelLab } from '../../src/index.js';
import { waitForKernelMessage } from '../../src/kernel-messages.js';

describe('an AppArmor profile loaded with apparmor_parser -r', () => {
  const directory = mkdtempSync(join(tmpdir(), 'armorkit-apparmor-'));
  const secret = join(directory, 'secret');
  const open = join(directory, 'open');
  const profileName = `armorkit-lab-deny-read-${process.pid}`;
  const profilePath = join(directory, 'profile');

  beforeAll(() => {
    requireKernelLab();
    writeFileSync(secret, 'secret contents\n');
    writeFileSync(open, 'open contents\n');
    // Everything allowed but one read: Node's stdio pipes are unix sockets, so unix and network stay allowed too.
    writeFileSync(
      profilePath,
      `abi <abi/3.0>,\nprofile ${profileName} {\n  file,\n  unix,\n  network,\n  signal,\n  capability,\n  audit deny ${secret} r,\n}\n`,
    );
    const parser = spawnSync('apparmor_parser', ['-r', profilePath], { encoding: 'utf8' });
    expect(parser.stderr).toBe('');
    expect(parser.status).toBe(0);
  });

  afterAll(() => {
    spawnSync('apparmor_parser', ['-R', profilePath]);
  });

  const catUnder = (path: string) => spawnSync('aa-exec', ['-p', profileName, '--', 'cat', path], { encoding: 'utf8' });

  it('denies reading the file it names and logs apparmor="DENIED" to the kernel log', async () => {
    const denied = catUnder(secret);
    expect(denied.status).not.toBe(0);
    expect(denied.stderr).toContain('Permission denied');
    const line = await waitForKernelMessage(
      (message) => message.includes('apparmor="DENIED"') && message.includes(`profile="${profileName}"`) && message.includes(`name="${secret}"`),
    );
    expect(line).toMatch(/operation="open".*requested_mask="r"/);
  });

  it('still allows reading other files under the same profile, and the file itself outside it', () => {
    const allowed = catUnder(open);
    expect(allowed.status).toBe(0);
    expect(allowed.stdout).toBe('open contents\n');
    const unconfined = spawnSync('cat', [secret], { encoding: 'utf8' });
    expect(unconfined.status).toBe(0);
    expect(unconfined.stdout).toBe('secret contents\n');
  });
});
