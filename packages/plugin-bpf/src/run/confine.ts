import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Artifact, type ConfinementStep, type Result, fail, ok } from '@armorkit/core';
import { bpfErrors, loaderError } from '../errors.js';
import { serializeEntries } from '../encode/serialize.js';
import { BpfEnforcer, type EnforcerOptions } from '../loader/enforcer.js';
import { bpfLsmProblem } from '../loader/lsm-status.js';

/** The compiled helper script (dist/run/apply-and-exec.js), also when this module runs from src/. */
export function helperScript(): string | undefined {
  const here = fileURLToPath(new URL('./apply-and-exec.js', import.meta.url));
  const built = here.replace(/\/src\/run\/apply-and-exec\.js$/, '/dist/run/apply-and-exec.js');
  return [here, built].find((path) => existsSync(path));
}

/**
 * `armorkit run` for BPF: attach the programs if needed, then wrap the command as
 * `unshare -m -- node apply-and-exec.js PROFILE_FILE NS_FILE --` (the profile's map entries are the step's input,
 * which the runner writes to a private file): the command gets a mount namespace of its own, which the profile is
 * applied to before the command starts. Cleanup removes the profile from that namespace.
 */
export async function confineWithBpf(artifact: Artifact<'BPF'>, options: EnforcerOptions & { unshare?: string } = {}): Promise<Result<ConfinementStep>> {
  const problem = bpfLsmProblem(options.lsmPath ? { lsmPath: options.lsmPath } : {});
  if (problem) return fail([loaderError(problem)]);
  const unshare = options.unshare ?? 'unshare';
  if (spawnSync(unshare, ['--version'], { stdio: 'ignore' }).status !== 0) {
    return fail([bpfErrors.error('bpf-unshare-missing', '', `${unshare} is not installed (Debian: util-linux)`)]);
  }
  const helper = helperScript();
  if (!helper) return fail([bpfErrors.error('bpf-helper-missing', '', 'the run helper is not built (run `pnpm exec tsc -b packages/plugin-bpf`)')]);
  const opened = await BpfEnforcer.open(options);
  if (!opened.ok) return fail([loaderError(opened.error)]);
  const enforcer = opened.value;
  const workDirectory = mkdtempSync(join(tmpdir(), 'armorkit-bpf-run-'));
  const namespaceFile = join(workDirectory, 'mount-namespace');
  const { profile, entries } = artifact.data;
  const rules = profile.files.length + profile.processes.length + profile.networks.length + profile.mounts.length;
  return ok({
    enforcer: 'BPF',
    // Outermost: it needs the privileges and the mount namespace the other steps may take away.
    stage: 0,
    summary: `BPF-LSM profile ${artifact.profileName} (${rules} rules, ${profile.profileMode}) applied to the command's own mount namespace`,
    inputs: [serializeEntries(entries)],
    prefix: ([profileFile]) => [
      unshare,
      '-m',
      process.execPath,
      helper,
      profileFile!,
      namespaceFile,
      '--',
    ],
    cleanup: async () => {
      try {
        const namespace = Number(readFileSync(namespaceFile, 'utf8').trim());
        if (namespace > 0) enforcer.removeProfile(namespace);
      } catch {
        // The helper never started: nothing was applied.
      }
      enforcer.close();
      rmSync(workDirectory, { recursive: true, force: true });
    },
  });
}
