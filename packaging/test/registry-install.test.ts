// The packages as users get them: every publishable package of the workspace packed by pnpm (workspace:^ becomes a
// version range; test/pack-workspace.ts), published to a verdaccio on loopback, then installed with npm into empty
// directories and run.
// Third-party dependencies come through verdaccio's uplink to the npm registry (npm's cache is kept in .cache/).
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type LocalRegistry, startLocalRegistry } from '../src/local-registry.js';
import { type NpmClient, npmClient, userEnvironment } from '../src/npm-client.js';
import { type CommandResult, runCollect } from '../src/run-command.js';
import { publishablePackages, REPO_ROOT, type WorkspacePackage } from '../src/workspace-packages.js';

const SETUP_TIMEOUT_MS = 240_000;
const POLICIES = join(REPO_ROOT, 'examples/policies');
const MULTI_ENFORCER_POLICY = join(POLICIES, 'payments-multi-enforcer.yaml');
const SECCOMP_POLICY = join(POLICIES, 'batch-worker-seccomp.yaml');
const RAW_RULES_POLICY = join(REPO_ROOT, 'packaging/test/fixtures/raw-rules-seccomp.yaml');
const AUDIT_LOG = join(REPO_ROOT, 'packaging/test/fixtures/kernel-audit.log');
const WORKSPACE_CLI = join(REPO_ROOT, 'packages/cli/dist/bin.js');
const NATIVE_LIBRARY = 'node_modules/@armorkit/core/native/build/libarmorkit-audit.so';

let work: string;
let registry: LocalRegistry | undefined;
let npm: NpmClient;
let packages: WorkspacePackage[];
let cliDirectory: string;
let engineDirectory: string;
const timings: string[] = [];

async function timed<T>(label: string, step: () => Promise<T>): Promise<T> {
  const start = performance.now();
  try {
    return await step();
  } finally {
    timings.push(`${label} ${((performance.now() - start) / 1000).toFixed(1)} s`);
  }
}

function succeeded(result: CommandResult, what: string): CommandResult {
  if (result.code !== 0) throw new Error(`${what} exited ${result.code}:\n${result.stdout}\n${result.stderr}`);
  return result;
}

/** An empty project directory, as `npm init -y` leaves one (plus the packages whose install scripts it allows). */
function emptyProject(name: string, allowScripts: Record<string, boolean> = {}): string {
  const directory = join(work, name);
  mkdirSync(directory);
  writeFileSync(join(directory, 'package.json'), `${JSON.stringify({ name: `armorkit-install-${name}`, private: true, allowScripts }, null, 2)}\n`);
  return directory;
}

/** Waits for every step, so none is still writing when a failure removes the directories; then throws the first failure. */
async function all(steps: readonly Promise<unknown>[]): Promise<void> {
  const failed = (await Promise.allSettled(steps)).find((outcome) => outcome.status === 'rejected');
  if (failed) throw failed.reason;
}

function armorkit(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<CommandResult> {
  return runCollect(join(cliDirectory, 'node_modules/.bin/armorkit'), args, { cwd: cliDirectory, env: userEnvironment(env) });
}

function workspaceArmorkit(args: readonly string[]): Promise<CommandResult> {
  return runCollect(process.execPath, [WORKSPACE_CLI, ...args], { cwd: cliDirectory, env: userEnvironment() });
}

/** Events without their `time` (when they were written). */
function eventsOf(stdout: string): Record<string, unknown>[] {
  return stdout
    .trim()
    .split('\n')
    .map((line) => {
      const { time: _time, ...event } = JSON.parse(line) as Record<string, unknown>;
      return event;
    });
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'armorkit-install-'));
  packages = publishablePackages();
  const tarballs = inject('packedTarballs');
  registry = await timed('start verdaccio', () => startLocalRegistry(mkdtempSync(join(work, 'registry-')), packages.map((pkg) => pkg.name)));
  npm = npmClient(registry.url, work, join(REPO_ROOT, '.cache/npm-install-test'));
  await timed('publish', () => all(packages.map(async (pkg) => succeeded(await npm.run(['publish', tarballs[pkg.name]!], work), `npm publish ${pkg.name}`))));
  // core's install script builds its native audit scanner; npm 11 runs it with a notice unless the project allows or
  // denies it in `allowScripts` (pnpm 10 only when allowed).
  cliDirectory = emptyProject('cli', { '@armorkit/core': true });
  // Denied here: core must work without its native part.
  engineDirectory = emptyProject('custom-engine', { '@armorkit/core': false });
  const version = (name: string) => `${name}@${packages.find((pkg) => pkg.name === name)!.version}`;
  await timed('npm install (both directories)', () =>
    all([
      npm.run(['install', version('@armorkit/cli')], cliDirectory).then((result) => succeeded(result, 'npm install @armorkit/cli')),
      npm
        .run(['install', version('@armorkit/core'), version('@armorkit/plugin-seccomp')], engineDirectory)
        .then((result) => succeeded(result, 'npm install @armorkit/core @armorkit/plugin-seccomp')),
    ]),
  );
}, SETUP_TIMEOUT_MS);

afterAll(async () => {
  await registry?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
  console.log(`registry install test: ${timings.join(', ')}`);
}, 60_000);

describe('published to a local registry', () => {
  it('serves every publishable package of the workspace, packed with its workspace: ranges resolved', async () => {
    expect(packages.map((pkg) => pkg.name)).toEqual(expect.arrayContaining(['@armorkit/cli', '@armorkit/core', '@armorkit/plugin-seccomp']));
    for (const pkg of packages) {
      const response = await fetch(`${registry!.url}${pkg.name.replace('/', '%2f')}`);
      expect(response.status, pkg.name).toBe(200);
      const document = (await response.json()) as { versions: Record<string, { dependencies?: Record<string, string>; peerDependencies?: Record<string, string> }> };
      const published = document.versions[pkg.version];
      expect(published, `${pkg.name}@${pkg.version}`).toBeDefined();
      const ranges = Object.values({ ...published!.dependencies, ...published!.peerDependencies });
      expect(ranges.filter((range) => range.startsWith('workspace:')), pkg.name).toEqual([]);
    }
  });
});

describe('@armorkit/cli installed with npm into an empty directory', () => {
  it('installs our packages from the local registry only', () => {
    const lock = JSON.parse(readFileSync(join(cliDirectory, 'package-lock.json'), 'utf8')) as { packages: Record<string, { version?: string; resolved?: string }> };
    const ours = Object.entries(lock.packages).filter(([path]) => path.startsWith('node_modules/@armorkit/'));
    const cli = packages.find((pkg) => pkg.name === '@armorkit/cli')!;
    const expected = Object.keys(cli.manifest.dependencies ?? {}).filter((name) => name.startsWith('@armorkit/'));
    expect(ours.map(([path]) => path.slice('node_modules/'.length)).sort()).toEqual(['@armorkit/cli', ...expected].sort());
    for (const [path, entry] of ours) {
      expect(entry.resolved, path).toMatch(new RegExp(`^${registry!.url.replace(/[.]/g, '\\.')}`));
      expect(entry.version, path).toBe(packages.find((pkg) => `node_modules/${pkg.name}` === path)!.version);
    }
  });

  it('armorkit --version prints the published version', async () => {
    const result = succeeded(await armorkit(['--version']), 'armorkit --version');
    expect(result.stdout.trim()).toBe(packages.find((pkg) => pkg.name === '@armorkit/cli')!.version);
  });

  it('validates the example policies as the workspace build does', async () => {
    const installed = await armorkit(['validate', POLICIES]);
    expect(installed.code, installed.stderr).toBe(0);
    const count = readdirSync(POLICIES).filter((name) => name.endsWith('.yaml')).length;
    expect(installed.stdout + installed.stderr).toMatch(new RegExp(`^${count} file\\(s\\), ${count} valid polic(y|ies), 0 error\\(s\\)`, 'm'));
    const workspace = await workspaceArmorkit(['validate', POLICIES]);
    expect({ ...installed }).toEqual({ ...workspace });
  });

  it('refuses an invalid policy with the error code and pointer, exit 1', async () => {
    const broken = join(cliDirectory, 'broken.yaml');
    writeFileSync(broken, readFileSync(SECCOMP_POLICY, 'utf8').replace(/(\n\s+enforcer:\s*)\S+/, '$1NotAnEnforcer'));
    const installed = await armorkit(['validate', broken]);
    expect(installed.code).toBe(1);
    expect(installed.stdout + installed.stderr).toContain('/spec/policy/enforcer');
    expect(installed.stdout + installed.stderr).toContain('NotAnEnforcer');
    expect({ ...installed }).toEqual({ ...(await workspaceArmorkit(['validate', broken])) });
  });

  it('compiles a multi-enforcer example to the same files as the workspace build', async () => {
    const installedOut = join(cliDirectory, 'out-installed');
    const workspaceOut = join(cliDirectory, 'out-workspace');
    succeeded(await armorkit(['compile', MULTI_ENFORCER_POLICY, '--out', installedOut]), 'armorkit compile');
    succeeded(await workspaceArmorkit(['compile', MULTI_ENFORCER_POLICY, '--out', workspaceOut]), 'workspace armorkit compile');
    const files = readdirSync(installedOut).sort();
    expect(files.map((name) => name.replace(/^[^.]+/, ''))).toEqual(['.apparmor', '.bpf.json', '.seccomp.json']);
    expect(readdirSync(workspaceOut).sort()).toEqual(files);
    for (const name of files) expect(readFileSync(join(installedOut, name), 'utf8'), name).toBe(readFileSync(join(workspaceOut, name), 'utf8'));
    const apparmor = readFileSync(join(installedOut, files[0]!), 'utf8');
    expect(apparmor).toMatch(/^profile \S+ flags=/m);
    const seccompProfile = JSON.parse(readFileSync(join(installedOut, files[2]!), 'utf8')) as { defaultAction: string; syscalls: unknown[] };
    expect(seccompProfile.defaultAction).toMatch(/^SCMP_ACT_/);
    expect(seccompProfile.syscalls.length).toBeGreaterThan(0);
  });

  it('builds the native audit scanner at install and decodes with it, the same events as without it', async () => {
    expect(existsSync(join(cliDirectory, NATIVE_LIBRARY))).toBe(true);
    // The dynamic loader names every library it opens: the installed CLI must open the scanner it built.
    const native = await armorkit(['audit', AUDIT_LOG], { LD_DEBUG: 'files' });
    expect(native.code, native.stderr.split('\n').filter((line) => !/^\s*\d+:/.test(line)).join('\n')).toBe(0);
    expect(native.stderr).toContain('libarmorkit-audit.so');
    const plain = await armorkit(['audit', AUDIT_LOG], { ARMORKIT_AUDIT_NATIVE: '0' });
    expect(plain.code, plain.stderr).toBe(0);
    const events = eventsOf(plain.stdout);
    expect(events.map((event) => [event.enforcer, event.action, event.profileName])).toEqual([
      ['AppArmor', 'DENIED', 'varmor-demo-demo-1'],
      ['Seccomp', 'AUDIT|ALLOWED', 'varmor-demo-demo-5'],
    ]);
    expect(eventsOf(native.stdout.split('\n').filter((line) => line.startsWith('{')).join('\n'))).toEqual(events);
  });

  it("builds plugin-bpf's programs from the installed C sources", async () => {
    const script = [
      // The builder is internal (the package's exports do not name it), so the installed module is imported by its file.
      "const { ensureBpfObject } = await import('./node_modules/@armorkit/plugin-bpf/dist/loader/bpf-object.js');",
      "import { readFileSync } from 'node:fs';",
      'const built = ensureBpfObject({ cacheDirectory: process.argv[1] });',
      'if (!built.ok) { console.error(JSON.stringify(built)); process.exit(1); }',
      // ELF e_machine 247 is EM_BPF.
      'console.log(readFileSync(built.value.path).readUInt16LE(18));',
    ].join('\n');
    const result = await runCollect(process.execPath, ['--input-type=module', '-e', script, join(work, 'bpf-object')], { cwd: cliDirectory, env: userEnvironment() });
    expect(result.stderr).toBe('');
    expect(result.stdout.trim()).toBe('247');
  });

  it('kernel-lab finds what it needs from the installed package, as the workspace build does', async () => {
    const installed = await armorkit(['lab', 'doctor']);
    expect(installed.stdout).toMatch(/^\S+\s+qemu\s/m);
    expect(installed.stdout).toMatch(/^\S+\s+kernel\s/m);
    expect({ ...installed }).toEqual({ ...(await workspaceArmorkit(['lab', 'doctor'])) });
  });
});

describe('a custom engine of @armorkit/core and @armorkit/plugin-seccomp alone', () => {
  const script = join(REPO_ROOT, 'packaging/test/fixtures/compile-seccomp.mjs');
  const run = (policy: string) => {
    const copy = join(engineDirectory, 'compile-seccomp.mjs');
    writeFileSync(copy, readFileSync(script));
    return runCollect(process.execPath, [copy, policy], { cwd: engineDirectory, env: userEnvironment() });
  };

  it('installs no other package of ours', () => {
    expect(readdirSync(join(engineDirectory, 'node_modules/@armorkit')).sort()).toEqual(['core', 'plugin-seccomp']);
  });

  it('compiles a policy to the seccomp profile the CLI writes, without the native scanner', async () => {
    const result = await run(RAW_RULES_POLICY);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr.trim()).toBe('enforcers: Seccomp; native audit scanner: false');
    expect(existsSync(join(engineDirectory, NATIVE_LIBRARY))).toBe(false);
    const profile = JSON.parse(result.stdout) as { defaultAction: string; syscalls: { names: string[]; action: string }[] };
    expect(profile.defaultAction).toBe('SCMP_ACT_ALLOW');
    expect(profile.syscalls.map((rule) => [rule.names.join(','), rule.action])).toEqual([
      ['unshare', 'SCMP_ACT_ERRNO'],
      ['mount', 'SCMP_ACT_ERRNO'],
      ['fchmodat', 'SCMP_ACT_ERRNO'],
    ]);
    const cli = succeeded(await workspaceArmorkit(['compile', RAW_RULES_POLICY, '--enforcer', 'seccomp']), 'workspace armorkit compile');
    expect(cli.stdout).toContain(result.stdout.trim());
  });

  it('reports the rules of a pack it does not have and a policy for another enforcer as error values', async () => {
    const builtinRules = await run(SECCOMP_POLICY);
    expect(builtinRules.code).toBe(1);
    expect(builtinRules.stderr).toContain('unknown-rule /spec/policy/enhanceProtect/hardeningRules/0: unknown rule "disallow-create-user-ns"');
    const apparmorPolicy = join(engineDirectory, 'apparmor.yaml');
    writeFileSync(apparmorPolicy, readFileSync(RAW_RULES_POLICY, 'utf8').replace(/enforcer: Seccomp\n(\s+)mode: EnhanceProtect\n[^]*$/, 'enforcer: AppArmor\n$1mode: AlwaysAllow\n'));
    const apparmor = await run(apparmorPolicy);
    expect(apparmor.code).toBe(1);
    expect(apparmor.stderr).toContain('enforcer-not-in-policy');
  });
});
