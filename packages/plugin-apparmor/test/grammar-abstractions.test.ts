import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ALLOWED_ABSTRACTIONS } from '../src/grammar/abstractions.js';
import { findApparmorParser } from '../src/verify/apparmor-parser.js';
import { runParser } from '../src/verify/apparmor-parser.js';
import { twoAtATime } from './support/binary-policy.js';

// Each allowed abstraction, expanded by apparmor_parser itself (-p: the profile with every include inlined,
// nested ones too), must hold nothing that could leave the profile or change the profile set.

const parser = findApparmorParser() as string;
const directory = mkdtempSync(join(tmpdir(), 'armorkit-abstractions-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

/** Lines of the expanded abstraction that could move a task to another profile, declare one, or set an rlimit. */
async function escapes(name: string): Promise<string[]> {
  const file = join(directory, name);
  writeFileSync(file, `abi <abi/3.0>,\ninclude <tunables/global>\nprofile armorkit-probe {\n  include <abstractions/${name}>\n}\n`);
  const run = await runParser(parser, ['-p', '-K', '-T', file]);
  if (run.code !== 0) return [`apparmor_parser -p failed: ${run.stderr}`];
  return run.stdout
    .split('\n')
    .map((line) => line.replace(/#.*/, '').trim())
    .filter((line) => line !== '' && line !== 'profile armorkit-probe {')
    .filter((line) => {
      const modes = line.replace(/,$/, '').split(/\s+/).filter((word) => /^[rwaklmixpcuRWAKLMIXPCU]+$/.test(word));
      return (
        modes.some((mode) => /[pcu][iu]?x/i.test(mode)) || line.includes('->') || /\b(change_profile|change_hat|rlimit)\b/.test(line) ||
        /^(profile|hat)\s/.test(line) || line.startsWith('^') || /\{$/.test(line)
      );
    });
}

describe('the allow-list of abstractions', () => {
  it('has no abstraction that brings an exec transition, change_profile, a profile or hat, or an rlimit', { timeout: 120_000 }, async () => {
    const names = [...ALLOWED_ABSTRACTIONS];
    const found = await twoAtATime(names, escapes);
    expect(names.map((name, i) => [name, found[i]]).filter(([, lines]) => (lines as string[]).length > 0)).toEqual([]);
  });

  it('the check finds the stock abstractions left out (Px, Cx, a declared profile)', async () => {
    expect((await escapes('opencl')).join('\n')).toMatch(/Px ->/);
    expect((await escapes('ubuntu-browsers')).join('\n')).toMatch(/Cx ->/);
    expect((await escapes('ubuntu-helpers')).join('\n')).toMatch(/^profile sanitized_helper/m);
    for (const name of ['opencl', 'ubuntu-browsers', 'ubuntu-helpers', 'snap_browsers']) expect(ALLOWED_ABSTRACTIONS.has(name)).toBe(false);
  });
});
