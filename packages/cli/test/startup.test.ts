// What a cold start loads (docs/cli.md#start-up): --help and --version only the CLI's entry and commander, a command
// its own module and the engine. Checked by recording every module the real process loads, not by timing it.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const PACKAGE = fileURLToPath(new URL('..', import.meta.url));
const REPO = fileURLToPath(new URL('../../..', import.meta.url));
const RECORDER = fileURLToPath(new URL('./fixtures/record-loads/register.mjs', import.meta.url));
const POLICY = join(REPO, 'examples/policies/web-frontend-apparmor.yaml');
const scratch = mkdtempSync(join(tmpdir(), 'armorkit-startup-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** What each file of the bundle holds, by package (written by build.mjs). */
const contents = JSON.parse(readFileSync(join(PACKAGE, 'dist/bundle-contents.json'), 'utf8')) as Record<string, string[]>;
const packagesIn = (files: readonly string[]) => [...new Set(files.flatMap((file) => contents[file] ?? [`not in the bundle: ${file}`]))].sort();

let runs = 0;
/** Runs the built `armorkit` and returns its output and the files it loaded, relative to packages/cli/dist. */
function loadsOf(args: readonly string[], cwd = scratch): { status: number | null; stdout: string; stderr: string; loaded: string[] } {
  const record = join(scratch, `loads-${runs++}`);
  const result = spawnSync(process.execPath, ['--import', RECORDER, join(PACKAGE, 'dist/bin.js'), ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, RECORD_LOADS: record },
  });
  const urls = readFileSync(record, 'utf8').split('\n').filter((url) => url.startsWith('file:'));
  const loaded = urls.map((url) => fileURLToPath(url)).filter((path) => path !== RECORDER && !path.includes('record-loads'));
  return { status: result.status, stdout: result.stdout, stderr: result.stderr, loaded: loaded.map((path) => path.replace(join(PACKAGE, 'dist/'), '')) };
}

describe('the bundled armorkit loads what the command needs', () => {
  it('--help loads the CLI and commander: no command, engine, plugin or other dependency', () => {
    const run = loadsOf(['--help']);
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('Usage: armorkit');
    expect(run.loaded).toContain('bin.js');
    expect(run.loaded.filter((path) => !/^chunks\/(chunk|main)-/.test(path) && path !== 'bin.js')).toEqual([]);
    expect(packagesIn(run.loaded)).toEqual(['@armorkit/cli', 'commander', 'installed-file-url']);
  });

  it('--version too, and reads the version from the CLI package', () => {
    const run = loadsOf(['--version']);
    expect(run.status).toBe(0);
    const { version } = JSON.parse(readFileSync(join(PACKAGE, 'package.json'), 'utf8')) as { version: string };
    expect(run.stdout.trim()).toBe(version);
    expect(packagesIn(run.loaded)).toEqual(['@armorkit/cli', 'commander', 'installed-file-url']);
  });

  it('validate runs dist/cli.cjs with its code cache: no module of the engine, no other command', () => {
    const run = loadsOf(['validate', POLICY]);
    expect(run.stderr).toBe('');
    expect(run.stdout).toContain('1 valid policy');
    expect(run.status).toBe(0);
    // As modules only the CLI's entry and the code-cache loader: commander, core and the plugins are in cli.cjs.
    expect(packagesIn(run.loaded)).toEqual(['@armorkit/cli']);
    expect(run.loaded.some((path) => /^chunks\/code-cache-/.test(path))).toBe(true);
    expect(run.loaded.filter((path) => /^chunks\/main-/.test(path))).toEqual([]);
    // cli.cjs holds what validate needs from the bundle, and not kernel-lab (demo, lab) or the audit sinks' stream.
    const held = contents['cli.cjs'] ?? [];
    expect(held).toEqual(expect.arrayContaining(['@armorkit/core', '@armorkit/plugin-apparmor', '@armorkit/builtin-rules', 'commander', 'zod', 'yaml']));
    expect(held.filter((name) => name.startsWith('not in the bundle'))).toEqual([]);
    expect(held).not.toContain('@armorkit/kernel-lab');
  });

  it('audit runs dist/audit.cjs with its code cache: no module of the engine, no other command', () => {
    const log = join(scratch, 'kernel.log');
    writeFileSync(
      log,
      'type=AVC msg=audit(1717430600.947:2040): apparmor="DENIED" operation="open" class="file" profile="varmor-demo-demo-1" name="/etc/shadow" pid=4242 comm="cat" requested_mask="r" denied_mask="r" fsuid=0 ouid=0\n',
    );
    const run = loadsOf(['audit', log]);
    expect(run.stderr).toContain('1 violation event(s): 1 DENIED');
    expect(JSON.parse(run.stdout)).toMatchObject({ enforcer: 'AppArmor', profileName: 'varmor-demo-demo-1' });
    expect(run.status).toBe(0);
    expect(packagesIn(run.loaded)).toEqual(['@armorkit/cli']);
    expect(run.loaded.filter((path) => /^chunks\/main-/.test(path))).toEqual([]);
    const held = contents['audit.cjs'] ?? [];
    expect(held).toEqual(expect.arrayContaining(['@armorkit/core', '@armorkit/plugin-apparmor', '@armorkit/plugin-seccomp', 'rotating-file-stream']));
    expect(held.filter((name) => name.startsWith('not in the bundle'))).toEqual([]);
    expect(held).not.toContain('@armorkit/kernel-lab');
  });

  it.each(['cli.cjs', 'audit.cjs'])("the code cache shipped with %s is one this node uses (a plain node, as a user's armorkit runs)", (file) => {
    const script = [
      `import { runCachedScript } from ${JSON.stringify(join(PACKAGE, 'dist/code-cache.js'))};`,
      `console.log(runCachedScript(${JSON.stringify(join(PACKAGE, 'dist', file))}).cacheUsed);`,
    ].join('\n');
    const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(result.stdout.trim()).toBe('true');
  });

  it('validate with --config, or with a config file where it runs, runs the modules (the config shares their core)', () => {
    const config = fileURLToPath(new URL('./fixtures/policy-errors-plugin/armorkit.config.mjs', import.meta.url));
    const run = loadsOf(['--config', config, 'validate', '--no-verify', POLICY]);
    expect(run.stderr).toBe(`${POLICY}:9:3: /spec: the refuser refuses every profile\n`);
    expect(run.loaded.some((path) => /^chunks\/main-/.test(path))).toBe(true);
    expect(run.loaded.filter((path) => /^chunks\/code-cache-/.test(path))).toEqual([]);
  });

  it('a bundled module still names its own package (import.meta.url is its installed file)', () => {
    const run = loadsOf(['rules', '--format', 'json']);
    expect(run.status).toBe(0);
    const packs = new Set((JSON.parse(run.stdout) as { pack: string }[]).map((rule) => rule.pack));
    expect([...packs]).toEqual(['@armorkit/builtin-rules']);
  });

  it("a config file's imports of @armorkit/core get the bundle's core: its plugin's PolicyErrors are reported as such", () => {
    const run = loadsOf(['validate', '--no-verify', POLICY], fileURLToPath(new URL('./fixtures/policy-errors-plugin/', import.meta.url)));
    expect(run.status).toBe(1);
    expect(run.stderr).toBe(`${POLICY}:9:3: /spec: the refuser refuses every profile\n`);
    // The config and the bundle; not core's own dist/, which would be a second core.
    expect(run.loaded.filter((path) => path.includes('/packages/core/'))).toEqual([]);
  });
});
