// code-cache.ts: a classic script run with the V8 code cache beside it, and never with one made for other bytes.
// Each step is a fresh node process, as each `armorkit validate` is (one process would reuse V8's in-memory cache).
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

// The built loader, as the CLI's other process tests use dist/ (pnpm run build-all).
const LOADER = fileURLToPath(new URL('../dist/code-cache.js', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'armorkit-code-cache-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Runs `file` through runCachedScript in a new node; writes its cache afterwards when asked. */
function run(file: string, options: { writeCache?: boolean } = {}): { value: unknown; cacheUsed: boolean } {
  const script = [
    `import { runCachedScript, writeCodeCache } from ${JSON.stringify(LOADER)};`,
    `const script = runCachedScript(${JSON.stringify(file)});`,
    options.writeCache ? `writeCodeCache(${JSON.stringify(file)}, script);` : '',
    'console.log(JSON.stringify({ value: script.exports.value(), cacheUsed: script.cacheUsed }));',
  ].join('\n');
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  expect(result.stderr).toBe('');
  return JSON.parse(result.stdout) as { value: unknown; cacheUsed: boolean };
}

describe('runCachedScript', () => {
  const file = join(scratch, 'bundle.cjs');
  const source = (word: string) => `const path = require('node:path');\nmodule.exports.value = () => [${JSON.stringify(word)}, path.basename(__filename)];\n`;

  it('runs a CommonJS file as one (require, module.exports, __filename), with no cache at first', () => {
    writeFileSync(file, source('alpha'));
    expect(run(file, { writeCache: true })).toEqual({ value: ['alpha', 'bundle.cjs'], cacheUsed: false });
    expect(existsSync(`${file}.cache`)).toBe(true);
  });

  it('uses the cache written for the file', () => {
    expect(run(file)).toEqual({ value: ['alpha', 'bundle.cjs'], cacheUsed: true });
  });

  it('does not use it for other bytes of the same length, which V8 alone would accept', () => {
    writeFileSync(file, source('omega'));
    expect(run(file)).toEqual({ value: ['omega', 'bundle.cjs'], cacheUsed: false });
  });

  it('compiles as usual when the cache is for the file but V8 cannot read it', () => {
    writeFileSync(`${file}.cache`, Buffer.concat([createHash('sha256').update(readFileSync(file)).digest(), Buffer.from('not a cache')]));
    expect(run(file)).toEqual({ value: ['omega', 'bundle.cjs'], cacheUsed: false });
  });
});
