import type { ArmorProfileModel, Profile } from '@armorkit/core/schema';
import type { DynamicResult } from '@armorkit/core/model';
import { MODELING_STARTED_ANNOTATION } from '../model/session.js';
import { type PolicyOwner, ownerReferenceOf } from './desired-profile.js';
import { describeProgress, type ModelProgress } from './model-progress.js';
import { VARMOR_API_VERSION } from './names.js';

type Condition = NonNullable<NonNullable<ArmorProfileModel['status']>['conditions']>[number];

export interface DesiredModelInput {
  owner: PolicyOwner;
  namespace: string;
  profileName: string;
  session: string;
  progress: ModelProgress;
  /** The profiles built from the model once it is complete (vArmor's `data.profile`). */
  profile?: Profile;
  /** Why `profile` could not be built. */
  profileProblem?: string;
  previous?: ArmorProfileModel;
  now: string;
  /** The largest ArmorProfileModel written whole (bytes of JSON); a larger one keeps its dynamicResult in ArmorModelParts. */
  maxBytes: number;
}

export interface DesiredModel {
  model: ArmorProfileModel;
  /** The dynamicResult the controller stores in ArmorModelParts (storageType ArmorModelPart). */
  inParts?: DynamicResult;
}

const bytes = (value: unknown) => Buffer.byteLength(JSON.stringify(value));

/**
 * The ArmorProfileModel of a modelling run (reference §5.2): named and placed as the ArmorProfile, owned by the
 * policy, `status.desiredNumber` the live nodes, `completedNumber` those whose final part is in, `ready` once the run
 * is complete. Within `maxBytes` the dynamicResult is in the object (`CRDInternal`, vArmor's default); beyond, in
 * ArmorModelParts (`storageType: ArmorModelPart`), where vArmor would write the manager's disk (`LocalDisk`). Pure.
 */
export function desiredArmorProfileModel(input: DesiredModelInput): DesiredModel {
  const { progress } = input;
  const message = progress.completed
    ? `modelling completed: ${describeProgress(progress)}${input.profileProblem ? `; the profiles were not built from it: ${input.profileProblem}` : ''}`
    : `modelling until ${new Date(progress.recheckAt ?? 0).toISOString().replace(/\.\d{3}Z$/, 'Z')}: ${describeProgress(progress)}`;
  const status = progress.completed ? 'True' : 'False';
  const before = input.previous?.status?.conditions?.find((condition) => condition.type === 'Ready');
  const sameRun = input.previous?.metadata.annotations?.[MODELING_STARTED_ANNOTATION] === input.session;
  const condition: Condition = {
    type: 'Ready',
    status,
    lastTransitionTime: sameRun && before?.status === status && before.lastTransitionTime ? before.lastTransitionTime : input.now,
    reason: progress.completed ? 'ModelingCompleted' : 'Modeling',
    message,
  };
  const whole: ArmorProfileModel = {
    apiVersion: VARMOR_API_VERSION,
    kind: 'ArmorProfileModel',
    metadata: {
      name: input.profileName,
      namespace: input.namespace,
      annotations: { [MODELING_STARTED_ANNOTATION]: input.session },
      ownerReferences: [ownerReferenceOf(input.owner)],
    },
    storageType: 'CRDInternal',
    data: { dynamicResult: progress.dynamicResult, ...(input.profile ? { profile: input.profile } : {}) },
    status: { desiredNumber: progress.desired, completedNumber: progress.completedNodes.length, ready: progress.completed, conditions: [condition] },
  };
  if (bytes(whole) <= input.maxBytes) return { model: whole };
  const split: ArmorProfileModel = { ...whole, storageType: 'ArmorModelPart', data: input.profile ? { profile: input.profile } : {} };
  if (bytes(split) <= input.maxBytes) return { model: split, inParts: progress.dynamicResult };
  // The profiles built from a huge model are too large too: they are built again when a DefenseInDepth policy is enforced.
  const note = `${message}; data.profile is left out (${bytes(split)} bytes)`;
  return { model: { ...split, data: {}, status: { ...split.status, conditions: [{ ...condition, message: note }] } }, inParts: progress.dynamicResult };
}
