import { describe, expect, test } from 'vitest';
import { AUDIT_ARCH_X86_64 } from '../src/arch.js';
import { runFilter } from '../src/bpf/interpreter.js';
import type { SeccompData } from '../src/bpf/seccomp-data.js';
import { compileFilter } from '../src/compile/compile-filter.js';
import { describeAction } from '../src/actions.js';
import { syscallEntries } from '../src/syscalls/lookup.js';
import { containerdDefaultProfile } from './support/containerd-profile.js';
import { askOracle, libseccompNumbers } from './support/oracle.js';

const EDGE_ARGS = [0n, 1n, 8n, 37n, 38n, 39n, 40n, 41n, 0x20000n, 0x20008n, 0x10000000n, 0x7e020000n, 0x7fffffffn, 0xffffffffn, 0x100000000n, 0x1000000ffn, 0xffffffff00000000n, 0xffffffffffffffffn];

describe("containerd's default profile on x86_64 agrees with libseccomp 2.5.4", () => {
  const profile = containerdDefaultProfile('amd64');
  const compiled = compileFilter(profile, 'x86_64');
  const known = libseccompNumbers('x86_64', syscallEntries('x86_64').map(([name]) => name));
  const inputs: SeccompData[] = [];
  for (const [name, nr] of syscallEntries('x86_64')) {
    if (known.get(name) !== nr) continue;
    for (const value of EDGE_ARGS) inputs.push({ nr, arch: AUDIT_ARCH_X86_64, args: [value, value, 0n, 0n, 0n, 0n] });
  }
  for (const nr of [0x40000000, 0x40000001, 0x400001ff, 0xffffffff, 470, 1000]) inputs.push({ nr, arch: AUDIT_ARCH_X86_64, args: [] });
  inputs.push({ nr: 0, arch: 0x40000003, args: [] });

  test.each([1, 2] as const)('every syscall with edge argument values, libseccomp optimize level %i', (optimize) => {
    expect(compiled.errors).toEqual([]);
    const [answer] = askOracle([{ profile, arch: 'x86_64', optimize, program: compiled.program, inputs }]);
    expect(answer!.ruleFailures).toBe(0);
    inputs.forEach((input, i) => {
      const ours = runFilter(compiled.program, input);
      if (!('action' in ours)) throw new Error(ours.message);
      if (ours.action !== answer!.libseccomp[i] || ours.action !== answer!.oursInC[i]) {
        expect.fail(`nr ${input.nr} args ${input.args.join(',')}: ours ${describeAction(ours.action)} libseccomp ${describeAction(answer!.libseccomp[i]!)}`);
      }
    });
    expect(inputs.length).toBeGreaterThan(6000);
  });

  test('the skipped names are the other ABIs\' calls containerd lists', () => {
    expect(compiled.skipped.map((s) => s.name)).toContain('chown32');
    expect(compiled.skipped.map((s) => s.name)).not.toContain('chmod');
  });
});
