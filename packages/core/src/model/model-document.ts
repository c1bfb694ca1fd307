import { stringify } from 'yaml';
import { MODEL_YAML_OPTIONS, writeBlockYaml } from './block-yaml-writer.js';
import type { ArmorProfileModel, DynamicResult } from '../schema/varmor/armor-profile-model.js';
import { VARMOR_API_VERSION } from '../schema/varmor/varmor-policy.js';

export interface ModelDocumentInput {
  profileName: string;
  /** The policy's namespace; absent for a cluster policy. */
  namespace?: string;
  dynamicResult: DynamicResult;
  /** How many recorders took part and finished (one per node; 1 for a local run). */
  completed?: number;
}

/**
 * The ArmorProfileModel of a finished recording, as vArmor's manager writes it once every agent has reported
 * (reference §5.2): the behaviour only; the profiles are compiled from it when a DefenseInDepth policy is enforced.
 */
export function modelDocument(input: ModelDocumentInput): ArmorProfileModel {
  const completed = input.completed ?? 1;
  return {
    apiVersion: VARMOR_API_VERSION,
    kind: 'ArmorProfileModel',
    metadata: input.namespace === undefined ? { name: input.profileName } : { name: input.profileName, namespace: input.namespace },
    storageType: 'CRDInternal',
    data: { dynamicResult: input.dynamicResult },
    status: { desiredNumber: completed, completedNumber: completed, ready: true },
  };
}

/**
 * The model as YAML: fields in schema order, lists sorted by the recorder, no anchors, so equal models are equal bytes.
 * The `yaml` library's output; written directly when the model is plain enough (a recorded one is, unless a
 * string holds a line break), else by the library.
 */
export function formatModel(model: ArmorProfileModel): string {
  return writeBlockYaml(model) ?? stringify(model, MODEL_YAML_OPTIONS);
}
