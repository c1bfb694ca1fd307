import { z } from 'zod';
import { armorProfileConditionSchema, profileSchema } from './armor-profile.js';
import { objectMetaSchema } from './metadata.js';
import { VARMOR_API_VERSION } from './varmor-policy.js';

// `ArmorModelPart`: armorkit's, for a model too large for one object: its dynamicResult is in ArmorModelPart chunks of no node.
export const MODEL_STORAGE_TYPES = ['CRDInternal', 'LocalDisk', 'PV/PVC', 'ArmorModelPart'] as const;

const strings = z.array(z.string());

export const modelFileSchema = z.strictObject({
  path: z.string(),
  owner: z.boolean().optional(),
  permissions: strings,
  oldPath: z.string().optional(),
});

export const modelNetworkSchema = z.strictObject({
  sockets: z.array(z.strictObject({ domain: z.string(), type: z.string(), protocol: z.string() })).optional(),
  egresses: z.array(z.strictObject({ ip: z.string(), ports: z.array(z.number().int().min(0).max(65535)).optional() })).optional(),
});

export const modelSignalSchema = z.strictObject({ peer: z.string(), permissions: strings, signals: strings });

/** A mount the workload made: mount point (AppArmor) or source (BPF), filesystem type, flag names (`umount` for umount). */
export const modelMountSchema = z.strictObject({ path: z.string(), type: z.string().optional(), flags: strings });

export const modelPtraceSchema = z.strictObject({
  peer: z.string().optional(),
  permissions: strings,
  external: z.boolean().optional(),
});

/** Behaviour observed by the AppArmor side while modelling. */
export const appArmorBehaviorSchema = z.strictObject({
  profiles: strings.optional(),
  executions: strings.optional(),
  files: z.array(modelFileSchema).optional(),
  capabilities: strings.optional(),
  networks: modelNetworkSchema.optional(),
  ptraces: z.array(modelPtraceSchema).optional(),
  signals: z.array(modelSignalSchema).optional(),
  // Not in vArmor (its #307 drops AppArmor mount events): the mounts AppArmor reported, so the profile can allow them.
  mounts: z.array(modelMountSchema).optional(),
  unhandled: strings.optional(),
});

/** Behaviour observed by the BPF side while modelling. */
export const bpfBehaviorSchema = z.strictObject({
  executions: strings.optional(),
  files: z.array(modelFileSchema).optional(),
  capabilities: strings.optional(),
  network: modelNetworkSchema.optional(),
  ptraces: z.array(modelPtraceSchema).optional(),
  mounts: z.array(modelMountSchema).optional(),
});

/** What the modellers recorded (`data.dynamicResult`), per enforcer. */
export const dynamicResultSchema = z.strictObject({
  appArmor: appArmorBehaviorSchema.optional(),
  bpf: bpfBehaviorSchema.optional(),
  seccomp: z.strictObject({ syscalls: strings.optional() }).optional(),
});
export type DynamicResult = z.infer<typeof dynamicResultSchema>;
export type ModelFile = z.infer<typeof modelFileSchema>;
export type ModelNetwork = z.infer<typeof modelNetworkSchema>;
export type ModelPtrace = z.infer<typeof modelPtraceSchema>;
export type ModelSignal = z.infer<typeof modelSignalSchema>;
export type ModelMount = z.infer<typeof modelMountSchema>;

/** The behaviour model of a BehaviorModeling policy and the profile built from it. */
export const armorProfileModelSchema = z.strictObject({
  apiVersion: z.literal(VARMOR_API_VERSION),
  kind: z.literal('ArmorProfileModel'),
  metadata: objectMetaSchema,
  storageType: z.enum(MODEL_STORAGE_TYPES).optional(),
  data: z
    .strictObject({
      dynamicResult: dynamicResultSchema.optional(),
      staticResult: z.strictObject({}).optional(),
      profile: profileSchema.optional(),
    })
    .optional(),
  status: z
    .strictObject({
      desiredNumber: z.number().int().min(0).optional(),
      completedNumber: z.number().int().min(0).optional(),
      ready: z.boolean().optional(),
      conditions: z.array(armorProfileConditionSchema).optional(),
    })
    .optional(),
});
export type ArmorProfileModel = z.infer<typeof armorProfileModelSchema>;
