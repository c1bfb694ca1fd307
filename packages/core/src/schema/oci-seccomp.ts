import { z } from 'zod';

// OCI runtime-spec v1.2.1 `LinuxSeccomp` (schema/config-linux.json, defs-linux.json): one source for
// syscallRawRules, custom seccomp profiles and the seccomp plugin's output.

export const SECCOMP_ACTIONS = [
  'SCMP_ACT_KILL',
  'SCMP_ACT_KILL_PROCESS',
  'SCMP_ACT_KILL_THREAD',
  'SCMP_ACT_TRAP',
  'SCMP_ACT_ERRNO',
  'SCMP_ACT_TRACE',
  'SCMP_ACT_ALLOW',
  'SCMP_ACT_LOG',
  'SCMP_ACT_NOTIFY',
] as const;
export const seccompActionSchema = z.enum(SECCOMP_ACTIONS);
export type SeccompAction = z.infer<typeof seccompActionSchema>;

export const SECCOMP_OPERATORS = [
  'SCMP_CMP_NE',
  'SCMP_CMP_LT',
  'SCMP_CMP_LE',
  'SCMP_CMP_EQ',
  'SCMP_CMP_GE',
  'SCMP_CMP_GT',
  'SCMP_CMP_MASKED_EQ',
] as const;
export const seccompOperatorSchema = z.enum(SECCOMP_OPERATORS);
export type SeccompOperator = z.infer<typeof seccompOperatorSchema>;

export const SECCOMP_ARCHES = [
  'SCMP_ARCH_X86',
  'SCMP_ARCH_X86_64',
  'SCMP_ARCH_X32',
  'SCMP_ARCH_ARM',
  'SCMP_ARCH_AARCH64',
  'SCMP_ARCH_LOONGARCH64',
  'SCMP_ARCH_M68K',
  'SCMP_ARCH_MIPS',
  'SCMP_ARCH_MIPS64',
  'SCMP_ARCH_MIPS64N32',
  'SCMP_ARCH_MIPSEL',
  'SCMP_ARCH_MIPSEL64',
  'SCMP_ARCH_MIPSEL64N32',
  'SCMP_ARCH_PPC',
  'SCMP_ARCH_PPC64',
  'SCMP_ARCH_PPC64LE',
  'SCMP_ARCH_S390',
  'SCMP_ARCH_S390X',
  'SCMP_ARCH_SH',
  'SCMP_ARCH_SHEB',
  'SCMP_ARCH_PARISC',
  'SCMP_ARCH_PARISC64',
  'SCMP_ARCH_RISCV64',
] as const;
export const seccompArchSchema = z.enum(SECCOMP_ARCHES);
export type SeccompArch = z.infer<typeof seccompArchSchema>;

export const SECCOMP_FLAGS = [
  'SECCOMP_FILTER_FLAG_TSYNC',
  'SECCOMP_FILTER_FLAG_LOG',
  'SECCOMP_FILTER_FLAG_SPEC_ALLOW',
  'SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV',
] as const;
export const seccompFlagSchema = z.enum(SECCOMP_FLAGS);

const uint32 = z.number().int().min(0).max(0xffffffff);
// uint64 values are carried as JS numbers when they fit exactly, as bigint otherwise (JSON gives numbers; 2^53+ values
// must be written as decimal strings to survive JSON.parse).
const uint64 = z.union([
  z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  z.bigint().min(0n).max(0xffffffffffffffffn),
  z
    .string()
    .regex(/^(0|[1-9][0-9]*)$/, 'must be a decimal unsigned 64-bit integer')
    .refine((s) => BigInt(s) <= 0xffffffffffffffffn, 'must fit in 64 bits'),
]);

/**
 * One argument comparison. SCMP_CMP_MASKED_EQ is `(arg & value) == (valueTwo & value)`, libseccomp's reading (what runc
 * runs): bits of valueTwo outside the mask are ignored.
 */
export const linuxSeccompArgSchema = z.strictObject({
  index: z.number().int().min(0).max(5),
  value: uint64,
  valueTwo: uint64.optional(),
  op: seccompOperatorSchema,
});
export type LinuxSeccompArg = z.infer<typeof linuxSeccompArgSchema>;

export const linuxSyscallSchema = z.strictObject({
  names: z.array(z.string().min(1)).min(1),
  action: seccompActionSchema,
  errnoRet: uint32.optional(),
  args: z.array(linuxSeccompArgSchema).optional(),
});
export type LinuxSyscall = z.infer<typeof linuxSyscallSchema>;

export const linuxSeccompSchema = z.strictObject({
  defaultAction: seccompActionSchema,
  defaultErrnoRet: uint32.optional(),
  architectures: z.array(seccompArchSchema).optional(),
  flags: z.array(seccompFlagSchema).optional(),
  listenerPath: z.string().optional(),
  listenerMetadata: z.string().optional(),
  syscalls: z.array(linuxSyscallSchema).optional(),
});
export type LinuxSeccomp = z.infer<typeof linuxSeccompSchema>;

/** The numeric value of a uint64 field as a bigint, whatever form it was written in. */
export function uint64Value(value: LinuxSeccompArg['value']): bigint {
  return typeof value === 'bigint' ? value : BigInt(value);
}
