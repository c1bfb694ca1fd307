import type { SockFilter } from './instruction.js';

const INSTRUCTION_SIZE = 8;

/** The program as an array of `struct sock_filter` (u16 code, u8 jt, u8 jf, u32 k; little-endian), as bwrap --seccomp reads it. */
export function serializeFilter(program: readonly SockFilter[]): Buffer {
  const buffer = Buffer.alloc(program.length * INSTRUCTION_SIZE);
  program.forEach((insn, i) => {
    const at = i * INSTRUCTION_SIZE;
    buffer.writeUInt16LE(insn.code, at);
    buffer.writeUInt8(insn.jt, at + 2);
    buffer.writeUInt8(insn.jf, at + 3);
    buffer.writeUInt32LE(insn.k >>> 0, at + 4);
  });
  return buffer;
}

/** The inverse of `serializeFilter` (e.g. for libseccomp's seccomp_export_bpf output); undefined when the size is not a multiple of 8. */
export function deserializeFilter(bytes: Uint8Array): SockFilter[] | undefined {
  if (bytes.length % INSTRUCTION_SIZE !== 0) return undefined;
  const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const program: SockFilter[] = [];
  for (let at = 0; at < view.length; at += INSTRUCTION_SIZE) {
    program.push({ code: view.readUInt16LE(at), jt: view.readUInt8(at + 2), jf: view.readUInt8(at + 3), k: view.readUInt32LE(at + 4) });
  }
  return program;
}
