import { execFileSync } from 'node:child_process';
import type { Artifact, Confinement, LinuxSeccomp } from '@armorkit/core';
import type { FilterArch } from '../arch.js';
import { compileFilter } from '../compile/compile-filter.js';
import { serializeFilter } from '../bpf/serialize.js';

/** The filter architecture of the machine we run on, if we compile for it. */
export function hostFilterArch(arch: string = process.arch): FilterArch | undefined {
  return arch === 'x64' ? 'x86_64' : arch === 'arm64' ? 'aarch64' : undefined;
}

function hasBwrap(bwrap: string): boolean {
  try {
    execFileSync(bwrap, ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * `armorkit run` for seccomp: compile the profile to classic BPF for this machine and run the command under it with
 * bubblewrap (`bwrap --seccomp FD`), which sets no_new_privs and installs the filter right before exec.
 */
export function confineWithSeccomp(artifact: Artifact<LinuxSeccomp>, options: { bwrap?: string } = {}): Confinement {
  const bwrap = options.bwrap ?? 'bwrap';
  const arch = hostFilterArch();
  if (!arch) return { enforcer: 'Seccomp', unavailable: `no filter compiler for the ${process.arch} architecture` };
  if (!hasBwrap(bwrap)) {
    return { enforcer: 'Seccomp', unavailable: `${bwrap} is not installed (Debian: apt-get install bubblewrap)` };
  }
  const compiled = compileFilter(artifact.data, arch);
  if (compiled.errors.length > 0) {
    return { enforcer: 'Seccomp', unavailable: `the filter does not compile: ${compiled.errors.map((e) => e.message).join('; ')}` };
  }
  return {
    enforcer: 'Seccomp',
    summary: `seccomp filter of ${compiled.program.length} instructions (${arch}) installed by bwrap`,
    inputs: [serializeFilter(compiled.program)],
    prefix: ([fd]) => [bwrap, '--dev-bind', '/', '/', '--seccomp', String(fd), '--'],
  };
}
