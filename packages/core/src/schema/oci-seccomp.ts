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

const UINT64_MAX = 0xffffffffffffffffn;
const UINT64_DECIMAL = /^(0|[1-9][0-9]*)$/;

/** Why `value` is not a uint64, or undefined when it is one; converts only what it has checked. */
function uint64Problem(value: number | bigint | string): string | undefined {
  const range = `an unsigned 64-bit integer (0 to ${UINT64_MAX})`;
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) return `${value} is not ${range}`;
    if (value < 0) return `${value} is below 0; it must be ${range}`;
    // A number past 2^53 has already lost its low bits; YAML and JSON input reaches here as a bigint instead.
    if (value > Number.MAX_SAFE_INTEGER) return `${value} is not exact as a JavaScript number; give it as a bigint or a decimal string`;
    return undefined;
  }
  if (typeof value === 'string') {
    if (!UINT64_DECIMAL.test(value)) return `${shorten(JSON.stringify(value))} is not ${range} written in decimal`;
    if (value.length > String(UINT64_MAX).length) return `${shorten(value)} does not fit in 64 bits; it must be ${range}`;
  }
  const exact = BigInt(value);
  if (exact < 0n) return `${shorten(String(exact))} is below 0; it must be ${range}`;
  if (exact > UINT64_MAX) return `${shorten(String(exact))} does not fit in 64 bits; it must be ${range}`;
  return undefined;
}

const shorten = (text: string): string => (text.length > 40 ? `${text.slice(0, 37)}...` : text);

// uint64 values are carried as JS numbers when they fit exactly, as bigint otherwise (the YAML and JSON readers give
// bigints past 2^53), or as decimal strings. The type is checked first and the range after, so nothing throws.
function uint64(field: string) {
  const schema = z.union([z.number(), z.bigint(), z.string()]).superRefine((value, ctx) => {
    const problem = uint64Problem(value);
    if (problem) ctx.addIssue({ code: 'custom', message: `${field} ${problem}`, params: { code: 'invalid-value' } });
  });
  uint64Schemas.add(schema);
  return schema;
}

const uint64Schemas = new WeakSet<z.ZodType>();

/** True for the uint64 fields, whose check (a superRefine) JSON Schema cannot show; json-schema.ts writes their form. */
export function isUint64Schema(schema: unknown): boolean {
  return typeof schema === 'object' && schema !== null && uint64Schemas.has(schema as z.ZodType);
}

/** The JSON Schema form of a uint64: a non-negative integer, or the same in decimal (JSON Schema numbers are doubles). */
export const UINT64_JSON_SCHEMA = {
  anyOf: [
    { type: 'integer', minimum: 0 },
    { type: 'string', pattern: '^(0|[1-9][0-9]{0,19})$' },
  ],
} as const;

/**
 * One argument comparison. SCMP_CMP_MASKED_EQ is `(arg & value) == (valueTwo & value)`, libseccomp's reading (what runc
 * runs): bits of valueTwo outside the mask are ignored.
 */
export const linuxSeccompArgSchema = z.strictObject({
  index: z.number().int().min(0).max(5),
  value: uint64('value'),
  valueTwo: uint64('valueTwo').optional(),
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
