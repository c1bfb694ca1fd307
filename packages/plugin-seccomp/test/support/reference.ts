import { uint64Value, type LinuxSeccomp } from '@armorkit/core/schema';
import { actionPrecedence, actionValue, EPERM } from '../../src/actions.js';
import type { SeccompData } from '../../src/bpf/seccomp-data.js';

type Condition = NonNullable<NonNullable<LinuxSeccomp['syscalls']>[number]['args']>[number];

const U64 = (v: bigint): bigint => BigInt.asUintN(64, v);

function holds(condition: Condition, args: readonly bigint[]): boolean {
  const arg = U64(args[condition.index] ?? 0n);
  const value = uint64Value(condition.value);
  switch (condition.op) {
    case 'SCMP_CMP_EQ': return arg === value;
    case 'SCMP_CMP_NE': return arg !== value;
    case 'SCMP_CMP_LT': return arg < value;
    case 'SCMP_CMP_LE': return arg <= value;
    case 'SCMP_CMP_GT': return arg > value;
    case 'SCMP_CMP_GE': return arg >= value;
    case 'SCMP_CMP_MASKED_EQ': return (arg & value) === (uint64Value(condition.valueTwo ?? 0) & value);
  }
}

/**
 * The profile's meaning written down directly (no BPF): runc's rewriting (skip default-action rules, split repeated
 * indices), libseccomp's MASKED_EQ, the kernel's precedence between matching rules. `nr` is resolved by the caller.
 */
export function referenceVerdict(profile: LinuxSeccomp, nameOf: (nr: number) => string | undefined, auditArch: number, badArch: number, data: SeccompData): number {
  if (data.arch >>> 0 !== auditArch) return badArch;
  const defaultAction = actionValue(profile.defaultAction, profile.defaultErrnoRet ?? EPERM);
  if (auditArch === 0xc000003e && data.nr >>> 0 >= 0x40000000 && data.nr >>> 0 !== 0xffffffff) return badArch;
  const name = nameOf(data.nr >>> 0);
  let best: number | undefined;
  for (const syscall of profile.syscalls ?? []) {
    if (name === undefined || !syscall.names.includes(name)) continue;
    const action = actionValue(syscall.action, syscall.errnoRet ?? EPERM);
    if (action === defaultAction) continue;
    const args = syscall.args ?? [];
    const repeated = new Set(args.map((a) => a.index)).size !== args.length;
    const matches = repeated ? args.some((a) => holds(a, data.args)) : args.every((a) => holds(a, data.args));
    if (matches && (best === undefined || actionPrecedence(action) > actionPrecedence(best))) best = action;
  }
  return best ?? defaultAction;
}

/**
 * libseccomp 2.5.4 mis-compiles some syscalls whose rules put several range comparisons (LT/LE/GT/GE) and other tests on
 * one argument: after a failed low-word test it falls into another rule's high-word test without reloading the high
 * word. True when `name`'s rules have that shape.
 */
export function hasLibseccompRangeMergeShape(profile: LinuxSeccomp, name: string, defaultAction: number): boolean {
  const byIndex = new Map<number, { count: number; range: boolean }>();
  for (const syscall of profile.syscalls ?? []) {
    if (!syscall.names.includes(name) || actionValue(syscall.action, syscall.errnoRet ?? EPERM) === defaultAction) continue;
    for (const arg of syscall.args ?? []) {
      const entry = byIndex.get(arg.index) ?? { count: 0, range: false };
      entry.count++;
      entry.range ||= ['SCMP_CMP_LT', 'SCMP_CMP_LE', 'SCMP_CMP_GT', 'SCMP_CMP_GE'].includes(arg.op);
      byIndex.set(arg.index, entry);
    }
  }
  return [...byIndex.values()].some((entry) => entry.count >= 2 && entry.range);
}
