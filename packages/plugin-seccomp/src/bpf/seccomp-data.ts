// struct seccomp_data (include/uapi/linux/seccomp.h): what a seccomp filter can read, 64 bytes.
export const SECCOMP_DATA_NR = 0;
export const SECCOMP_DATA_ARCH = 4;
export const SECCOMP_DATA_INSTRUCTION_POINTER = 8;
export const SECCOMP_DATA_ARGS = 16;
export const SECCOMP_DATA_SIZE = 64;

/** Offsets of the low and high 32-bit words of argument `index` on a little-endian ABI. */
export function argumentWordOffsets(index: number): { low: number; high: number } {
  const low = SECCOMP_DATA_ARGS + 8 * index;
  return { low, high: low + 4 };
}

/** The input of one filter run: what the kernel fills in for a system call. */
export interface SeccompData {
  nr: number;
  arch: number;
  instructionPointer?: bigint;
  /** Six 64-bit arguments (missing ones read as 0). */
  args: readonly bigint[];
}
