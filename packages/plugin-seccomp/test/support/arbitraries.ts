import fc from 'fast-check';
import type { LinuxSeccomp, SeccompAction, SeccompOperator } from '@armorkit/core/schema';
import { actionValue, EPERM } from '../../src/actions.js';
import { AUDIT_ARCH_AARCH64, AUDIT_ARCH_X86_64, type FilterArch } from '../../src/arch.js';
import type { SeccompData } from '../../src/bpf/seccomp-data.js';

const U64_MAX = 0xffffffffffffffffn;
const OPERATORS: SeccompOperator[] = ['SCMP_CMP_NE', 'SCMP_CMP_LT', 'SCMP_CMP_LE', 'SCMP_CMP_EQ', 'SCMP_CMP_GE', 'SCMP_CMP_GT', 'SCMP_CMP_MASKED_EQ'];
const ACTIONS: SeccompAction[] = ['SCMP_ACT_ALLOW', 'SCMP_ACT_ERRNO', 'SCMP_ACT_KILL', 'SCMP_ACT_KILL_PROCESS', 'SCMP_ACT_KILL_THREAD', 'SCMP_ACT_TRAP', 'SCMP_ACT_LOG', 'SCMP_ACT_TRACE'];

/** 64-bit values biased to the edges of the 32-bit halves, where split comparisons go wrong. */
export const edgeU64: fc.Arbitrary<bigint> = fc.oneof(
  fc.constantFrom(0n, 1n, 2n, 0x7fn, 0xffn, 0x7fffffffn, 0x80000000n, 0xfffffffen, 0xffffffffn, 0x100000000n, 0x100000001n, 0x1ffffffffn, 0x7fffffffffffffffn, 0x8000000000000000n, U64_MAX - 1n, U64_MAX),
  fc.bigInt({ min: 0n, max: 64n }),
  fc.bigInt({ min: 0n, max: U64_MAX }),
  fc.tuple(fc.constantFrom(0n, 1n, 0xffffffffn, 0x80000000n), fc.constantFrom(0n, 1n, 0xffffffffn, 0x80000000n, 5n)).map(([hi, lo]) => (hi << 32n) | lo),
);

const action = fc.record({ action: fc.constantFrom(...ACTIONS), errno: fc.option(fc.integer({ min: 1, max: 200 }), { nil: undefined }) }).map(
  ({ action, errno }) => (action === 'SCMP_ACT_ERRNO' || action === 'SCMP_ACT_TRACE') && errno !== undefined ? { action, errnoRet: errno } : { action },
);

const condition = fc.record({ index: fc.oneof(fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 5 })), op: fc.constantFrom(...OPERATORS), value: edgeU64, two: edgeU64, subset: fc.boolean() }).map(
  ({ index, op, value, two, subset }) => {
    const valueTwo = subset ? value & two : two;
    const asField = (v: bigint): number | bigint => (v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v);
    return op === 'SCMP_CMP_MASKED_EQ' ? { index, op, value: asField(value), valueTwo: asField(valueTwo) } : { index, op, value: asField(value) };
  },
);

/**
 * Random profiles in the class where libseccomp's answer is defined by the rules alone: every rule naming one syscall
 * has the same action (libseccomp resolves different actions on one syscall by its tree layout or refuses them).
 */
export function profileArbitrary(names: readonly string[]): fc.Arbitrary<LinuxSeccomp> {
  return fc
    .record({
      defaultAction: action,
      pool: fc.uniqueArray(fc.constantFrom(...names), { minLength: 1, maxLength: 6 }),
      actions: fc.array(action, { minLength: 6, maxLength: 6 }),
      entries: fc.array(fc.record({ pick: fc.nat(), group: fc.boolean(), args: fc.oneof(fc.constant([]), fc.array(condition, { minLength: 1, maxLength: 3 })) }), { minLength: 1, maxLength: 8 }),
    })
    .map(({ defaultAction, pool, actions, entries }) => {
      const actionOf = (name: string) => actions[pool.indexOf(name)]!;
      const key = (a: { action: SeccompAction; errnoRet?: number }) => actionValue(a.action, a.errnoRet ?? EPERM);
      const syscalls = entries.map(({ pick, group, args }) => {
        const name = pool[pick % pool.length]!;
        // Several names in one entry when they share an action, as real profiles write them.
        const names = group ? pool.filter((other) => key(actionOf(other)) === key(actionOf(name))) : [name];
        return { names, ...actionOf(name), ...(args.length > 0 ? { args } : {}) };
      });
      return { ...('errnoRet' in defaultAction ? { defaultAction: defaultAction.action, defaultErrnoRet: defaultAction.errnoRet } : { defaultAction: defaultAction.action }), syscalls } as LinuxSeccomp;
    });
}

export const auditArchOf = (arch: FilterArch): number => (arch === 'x86_64' ? AUDIT_ARCH_X86_64 : AUDIT_ARCH_AARCH64);

/** Inputs aimed at a profile: its syscalls with arguments near its compared values, other syscalls, other ABIs. */
export function inputsArbitrary(arch: FilterArch, profile: LinuxSeccomp, numbers: ReadonlyMap<string, number>, count: number): fc.Arbitrary<SeccompData[]> {
  const named = (profile.syscalls ?? []).flatMap((s) => s.names).map((name) => numbers.get(name)!);
  const compared = (profile.syscalls ?? []).flatMap((s) => s.args ?? []).flatMap((a) => [BigInt(a.value), BigInt(a.valueTwo ?? 0)]);
  const near = compared.length === 0 ? edgeU64 : fc.oneof(
    fc.constantFrom(...compared),
    fc.constantFrom(...compared).map((v) => (v + 1n) & U64_MAX),
    fc.constantFrom(...compared).map((v) => (v - 1n) & U64_MAX),
    fc.tuple(fc.constantFrom(...compared), edgeU64).map(([v, e]) => v | (e & 0xffn)),
    fc.tuple(fc.constantFrom(...compared), fc.constantFrom(...compared)).map(([a, b]) => (a & 0xffffffff00000000n) | (b & 0xffffffffn)),
    edgeU64,
  );
  const args = fc.array(near, { minLength: 6, maxLength: 6 });
  const auditArch = auditArchOf(arch);
  const allNumbers = [...numbers.values()];
  const input = fc.oneof(
    { weight: 7, arbitrary: fc.record({ nr: fc.constantFrom(...named), arch: fc.constant(auditArch), args }) },
    { weight: 2, arbitrary: fc.record({ nr: fc.constantFrom(...allNumbers), arch: fc.constant(auditArch), args }) },
    {
      weight: 1,
      arbitrary: fc.record({
        nr: fc.oneof(fc.constantFrom(0xffffffff, 0x40000000, 0x40000001, 0x3fffffff, 0x7fffffff, 500, 1024), fc.integer({ min: 0, max: 0xffffffff })),
        arch: fc.constantFrom(auditArch, auditArch, 0x40000003, AUDIT_ARCH_X86_64, AUDIT_ARCH_AARCH64, 0),
        args,
      }),
    },
  );
  return fc.array(input, { minLength: count, maxLength: count });
}
