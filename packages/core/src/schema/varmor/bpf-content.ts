import { z } from 'zod';

// The compiled BPF profile as an ArmorProfile carries it (`spec.profile.bpf`): numbers are the kernel encodings.
const uint32 = z.number().int().min(0).max(0xffffffff);
const uint16 = z.number().int().min(0).max(0xffff);
// Capability and socket masks are u64; JSON numbers lose precision past 2^53, so decimal strings are accepted too.
const uint64 = z.union([z.number().int().min(0).max(Number.MAX_SAFE_INTEGER), z.string().regex(/^(0|[1-9][0-9]*)$/)]);

export const bpfPathPatternContentSchema = z.strictObject({
  flags: uint32,
  prefix: z.string().optional(),
  /** Stored reversed, as the kernel compares it from the end of the path. */
  suffix: z.string().optional(),
});

export const bpfPathContentSchema = z.strictObject({
  mode: uint32.optional(),
  permissions: uint32,
  pattern: bpfPathPatternContentSchema,
});

export const bpfNetworkContentSchema = z.strictObject({
  mode: uint32.optional(),
  flags: uint32,
  socket: z
    .strictObject({ domains: uint64.optional(), types: uint64.optional(), protocols: uint64.optional() })
    .optional(),
  address: z
    .strictObject({
      ip: z.string().optional(),
      cidr: z.string().optional(),
      port: uint16.optional(),
      endPort: uint16.optional(),
      ports: z.array(uint16).optional(),
    })
    .optional(),
});

export const bpfMountContentSchema = z.strictObject({
  mode: uint32.optional(),
  mountFlags: uint32,
  reverseMountflags: uint32,
  pattern: bpfPathPatternContentSchema,
  fstype: z.string().optional(),
});

export const bpfContentSchema = z.strictObject({
  capabilities: z.strictObject({ mode: uint32.optional(), capabilities: uint64 }).optional(),
  files: z.array(bpfPathContentSchema).optional(),
  processes: z.array(bpfPathContentSchema).optional(),
  networks: z.array(bpfNetworkContentSchema).optional(),
  ptrace: z.strictObject({ mode: uint32.optional(), permissions: uint32, flags: uint32 }).optional(),
  mounts: z.array(bpfMountContentSchema).optional(),
});
export type BpfContent = z.infer<typeof bpfContentSchema>;
