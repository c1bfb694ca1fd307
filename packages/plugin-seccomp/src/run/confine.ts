import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type Artifact, type ConfinementStep, type Result, fail, ok } from '@armorkit/core';
import { seccompErrors } from '../errors.js';
import type { FilterArch } from '../arch.js';
import { compileFilter } from '../compile/compile-filter.js';
import { serializeFilter } from '../bpf/serialize.js';
import { SECCOMP_FILTER_FLAG_LOG } from './filter-flags.js';

/** The filter architecture of the machine we run on, if we compile for it. */
export function hostFilterArch(arch: string = process.arch): FilterArch | undefined {
  return arch === 'x64' ? 'x86_64' : arch === 'arm64' ? 'aarch64' : undefined;
}

/** The helper that installs the filter and execs (dist/run/install-filter-and-exec.js), also when running from src/. */
export function filterHelperScript(): string | undefined {
  const here = fileURLToPath(new URL('./install-filter-and-exec.js', import.meta.url));
  const built = here.replace(/\/src\/run\/install-filter-and-exec\.js$/, '/dist/run/install-filter-and-exec.js');
  return [here, built].find((path) => existsSync(path));
}

/**
 * `armorkit run` for seccomp: compile the profile to classic BPF for this machine and run the command through a small
 * helper that installs it with seccomp(2) — no_new_privs, TSYNC, and SECCOMP_FILTER_FLAG_LOG when the profile asks for
 * logged denials — then execs the command. No namespace is created, so other enforcers' steps (BPF's mount namespace)
 * still hold for the command.
 */
export function confineWithSeccomp(artifact: Artifact<'Seccomp'>): Result<ConfinementStep> {
  const arch = hostFilterArch();
  if (!arch) return fail([seccompErrors.error('seccomp-arch-unsupported', '', `no filter compiler for the ${process.arch} architecture`)]);
  const helper = filterHelperScript();
  if (!helper) return fail([seccompErrors.error('seccomp-helper-missing', '', 'the run helper is not built (run `pnpm exec tsc -b packages/plugin-seccomp`)')]);
  const compiled = compileFilter(artifact.data, arch);
  if (compiled.errors.length > 0) {
    return fail([seccompErrors.error('seccomp-filter-failed', '', `the filter does not compile: ${compiled.errors.map((e) => e.message).join('; ')}`)]);
  }
  const logDenials = artifact.data.flags?.includes('SECCOMP_FILTER_FLAG_LOG') ?? false;
  return ok({
    enforcer: 'Seccomp',
    // Before AppArmor: aa-exec must run under the filter so that the command starts with both.
    stage: 10,
    summary: `seccomp filter of ${compiled.program.length} instructions (${arch}) installed before exec${logDenials ? ', denials logged' : ''}`,
    inputs: [serializeFilter(compiled.program)],
    prefix: ([filterFile]) => [process.execPath, helper, filterFile!, String(logDenials ? SECCOMP_FILTER_FLAG_LOG : 0), '--'],
  });
}
