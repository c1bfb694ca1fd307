import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

// The C scanner under AddressSanitizer and UndefinedBehaviorSanitizer: no read or write outside the input and the
// output buffers, no undefined behaviour, progress on every call, whatever the bytes and however small the buffers.
const scanner = fileURLToPath(new URL('../native/audit-scan.c', import.meta.url));
const fuzzer = fileURLToPath(new URL('./native/fuzz-scan.c', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'armorkit-scan-fuzz-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

// About 16 s of CPU under the sanitizers (their allocator maps and unmaps the larger buffers): room for a busy machine.
describe('native audit scanner under sanitizers', { timeout: 180_000 }, () => {
  it('scans 40,000 random inputs (plain records, mutated ones, random bytes, lines over the cap) with buffers of every size and line caps of every size, without a sanitizer report', () => {
    const binary = join(work, 'fuzz-scan');
    const build = spawnSync('cc', ['-O1', '-g', '-fsanitize=address,undefined', '-fno-sanitize-recover=all', '-fno-omit-frame-pointer', '-o', binary, fuzzer, scanner], {
      encoding: 'utf8',
    });
    expect(build.stderr, 'cc with -fsanitize=address,undefined').toBe('');
    expect(build.status).toBe(0);
    for (const seed of ['1', '2']) {
      const run = spawnSync(binary, [seed], { encoding: 'utf8' });
      expect({ seed, stderr: run.stderr, status: run.status }).toEqual({ seed, stderr: '', status: 0 });
      expect(run.stdout.trim()).toBe('ok');
    }
  });
});
