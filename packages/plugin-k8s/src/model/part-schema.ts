import { createHash } from 'node:crypto';
import { z } from 'zod';
import { dynamicResultSchema } from '@armorkit/core/model';
import { kubernetesNameSchema, kubernetesNamespaceSchema } from '@armorkit/core/schema';
import { NODE_STATUS_GROUP, NODE_STATUS_VERSION } from '../node-status/schema.js';

// The behaviour a BehaviorModeling profile's agents recorded, in the API (vArmor's agents POST it to the manager's
// side channel instead, §5.1 step 4). Each node writes its own part of each profile it models, cut into chunks that
// each stay far below the object size limit (etcd's 1.5 MiB); the controller merges the parts into the
// ArmorProfileModel. A model too large for one object is kept the same way: chunks written by the controller, with no
// node. Only the writer of a source writes its chunks, so nobody contends on an object.

export const MODEL_PART_GROUP = NODE_STATUS_GROUP;
export const MODEL_PART_VERSION = NODE_STATUS_VERSION;
export const MODEL_PART_API_VERSION = `${MODEL_PART_GROUP}/${MODEL_PART_VERSION}`;
export const MODEL_PART_KIND = 'ArmorModelPart';
export const MODEL_PART_PLURAL = 'armormodelparts';
/** The label naming the profile a part is of: what the agent lists its own parts by. */
export const MODEL_PART_PROFILE_LABEL = 'armorkit.dev/profile';
/** A chunk holds at most this much JSON (a quarter of what etcd takes, so the object around it never reaches it). */
export const MODEL_CHUNK_BYTES = 384 * 1024;

export const armorModelPartSchema = z.strictObject({
  apiVersion: z.literal(MODEL_PART_API_VERSION),
  kind: z.literal(MODEL_PART_KIND),
  metadata: z.looseObject({ name: kubernetesNameSchema, namespace: kubernetesNamespaceSchema }),
  spec: z.strictObject({
    /** The ArmorProfile (and ArmorProfileModel) the behaviour is of, in the part's namespace. */
    profileName: kubernetesNameSchema,
    /** The node that recorded it; absent in the chunks of a merged model the controller stores. */
    nodeName: z.string().min(1).optional(),
    /** When the modelling started (the ArmorProfile's `armorkit.dev/modeling-started-at`): parts of another run do not count. */
    session: z.string().min(1),
    /** Bumped by the writer at each write; the chunks of one write share it. */
    revision: z.number().int().nonnegative(),
    chunk: z.strictObject({ index: z.number().int().nonnegative(), count: z.number().int().positive() }).refine((chunk) => chunk.index < chunk.count, { message: 'chunk.index must be below chunk.count' }),
    /** The node stopped recording (the duration is over): this is its whole part. */
    final: z.boolean(),
    dynamicResult: dynamicResultSchema,
  }),
});
export type ArmorModelPart = z.infer<typeof armorModelPartSchema>;
export type ModelPartSpec = ArmorModelPart['spec'];

/** `<profile>-<10 hex of the node's name>-<index>` (`-model-` for the controller's), always a valid object name. */
export function modelPartName(profileName: string, nodeName: string | undefined, index: number): string {
  const source = nodeName === undefined ? 'model' : createHash('sha256').update(nodeName).digest('hex').slice(0, 10);
  return `${profileName}-${source}-${index}`;
}
