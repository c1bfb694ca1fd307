// publint and are-the-types-wrong on the tarballs `pnpm pack` makes of every publishable package (test/pack-workspace.ts):
// what a user's resolver and TypeScript see of each entry of each `exports` map.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { publint } from 'publint';
import { formatMessage } from 'publint/utils';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { userEnvironment } from '../src/npm-client.js';
import { type CommandResult, runCollect } from '../src/run-command.js';
import { publishablePackages, REPO_ROOT } from '../src/workspace-packages.js';

const packages = publishablePackages();
const ATTW = join(dirname(createRequire(import.meta.url).resolve('@arethetypeswrong/cli/package.json')), 'dist', 'index.js');
/**
 * Our packages are ESM only (`"type": "module"`, no `require` condition; Node >= 20.19 can `require()` them
 * synchronously anyway), so attw's esm-only profile: the node16 ESM and bundler resolutions must be right, node10 and
 * node16-from-CJS are not resolutions we publish for.
 */
const ATTW_PROFILE = 'esm-only';
const IGNORED_RESOLUTIONS = new Set(['node10', 'node16-cjs']);

const tarballs = inject('packedTarballs');
/** attw runs the TypeScript compiler for seconds per package: two at a time, started before the tests wait for them. */
const ATTW_PARALLEL = 2;
const attwRuns = new Map<string, Promise<CommandResult>>();

beforeAll(() => {
  const lanes: Promise<unknown>[] = Array.from({ length: ATTW_PARALLEL }, () => Promise.resolve());
  packages.forEach((pkg, index) => {
    const run = lanes[index % ATTW_PARALLEL]!.then(() =>
      runCollect(process.execPath, [ATTW, tarballs[pkg.name]!, '--profile', ATTW_PROFILE, '--format', 'json'], { cwd: REPO_ROOT, env: userEnvironment() }),
    );
    lanes[index % ATTW_PARALLEL] = run.catch(() => undefined);
    attwRuns.set(pkg.name, run);
  });
});

afterAll(async () => {
  await Promise.allSettled(attwRuns.values());
}, 120_000);

interface AttwReport {
  analysis: { entrypoints: Record<string, unknown>; problems: { kind: string; entrypoint?: string; resolutionKind?: string }[] };
}

describe.each(packages.map((pkg) => [pkg.name, pkg] as const))('%s as packed', (name, pkg) => {
  it('passes publint, suggestions included', async () => {
    const tarball = readFileSync(tarballs[name]!);
    const { messages, pkg: packed } = await publint({ pack: { tarball: tarball.buffer.slice(tarball.byteOffset, tarball.byteOffset + tarball.byteLength) }, level: 'suggestion', strict: true });
    expect(messages.map((message) => `${message.type} ${message.code}: ${formatMessage(message, packed) ?? ''}`)).toEqual([]);
  });

  // The runs go one after another in each lane, so the last package's may wait for all before it.
  it(`passes are-the-types-wrong (profile ${ATTW_PROFILE}) on every entry of its exports map`, { timeout: 240_000 }, async () => {
    const result = await attwRuns.get(name)!;
    const report = JSON.parse(result.stdout) as AttwReport;
    // attw analyses every subpath of `exports` by itself; checked here so a new subpath can never be skipped.
    expect(Object.keys(report.analysis.entrypoints).sort()).toEqual(Object.keys(pkg.manifest.exports ?? { '.': null }).sort());
    const problems = report.analysis.problems.filter((problem) => !problem.resolutionKind || !IGNORED_RESOLUTIONS.has(problem.resolutionKind));
    expect(problems).toEqual([]);
    expect(result.code, result.stderr).toBe(0);
  });

  it('declares what a registry page and npm need', () => {
    const manifest = pkg.manifest;
    expect(manifest.type).toBe('module');
    expect(manifest.license).toBe('Apache-2.0');
    expect(manifest.engines?.node).toBe('>=20.19');
    expect(manifest.description).toBeTruthy();
    // Every export condition object lists `types` first, so TypeScript never picks a JavaScript file before it.
    for (const [subpath, target] of Object.entries(manifest.exports ?? {})) {
      if (typeof target === 'object' && target !== null) expect(Object.keys(target)[0], `${name} exports ${subpath}`).toBe('types');
    }
  });
});
