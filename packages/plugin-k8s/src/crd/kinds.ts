import { z } from 'zod';
import { armorProfileModelSchema, armorProfileSchema, varmorClusterPolicySchema, varmorPolicySchema } from '@armorkit/core/schema';
import { armorModelPartSchema, MODEL_PART_GROUP, MODEL_PART_KIND, MODEL_PART_PLURAL, MODEL_PART_VERSION } from '../model/part-schema.js';
import { armorNodeStatusSchema, NODE_STATUS_GROUP, NODE_STATUS_KIND, NODE_STATUS_PLURAL, NODE_STATUS_VERSION } from '../node-status/schema.js';

export const VARMOR_GROUP = 'crd.varmor.org';
export const VARMOR_VERSION = 'v1beta1';

/** An `additionalPrinterColumns` entry: what `kubectl get` shows. */
export interface PrinterColumn {
  name: string;
  type: 'string' | 'integer' | 'boolean' | 'date';
  jsonPath: string;
}

export interface CustomResourceKind {
  kind: 'VarmorPolicy' | 'VarmorClusterPolicy' | 'ArmorProfile' | 'ArmorProfileModel' | typeof NODE_STATUS_KIND | typeof MODEL_PART_KIND;
  /** vArmor's group for vArmor's kinds; armorkit's own (armorkit.dev) for what vArmor has no kind for. */
  group: string;
  version: string;
  plural: string;
  scope: 'Namespaced' | 'Cluster';
  shortNames: readonly string[];
  printerColumns: readonly PrinterColumn[];
  /** The zod schema armorkit validates the kind with; the CRD's OpenAPI schema is generated from it. */
  schema: z.ZodType;
}

const AGE: PrinterColumn = { name: 'AGE', type: 'date', jsonPath: '.metadata.creationTimestamp' };

// vArmor's columns (apis/varmor/v1beta1, reference §6.1 and §5.2), so `kubectl get vpol` reads as vArmor users know it.
const POLICY_COLUMNS: readonly PrinterColumn[] = [
  { name: 'ENFORCER', type: 'string', jsonPath: '.spec.policy.enforcer' },
  { name: 'MODE', type: 'string', jsonPath: '.spec.policy.mode' },
  { name: 'TARGET-KIND', type: 'string', jsonPath: '.spec.target.kind' },
  { name: 'TARGET-NAME', type: 'string', jsonPath: '.spec.target.name' },
  { name: 'TARGET-SELECTOR', type: 'string', jsonPath: '.spec.target.selector' },
  { name: 'PROFILE-NAME', type: 'string', jsonPath: '.status.profileName' },
  { name: 'READY', type: 'boolean', jsonPath: '.status.ready' },
  { name: 'STATUS', type: 'string', jsonPath: '.status.phase' },
  AGE,
];

const VARMOR = { group: VARMOR_GROUP, version: VARMOR_VERSION } as const;

/** The four kinds of crd.varmor.org/v1beta1 and armorkit.dev's ArmorNodeStatus and ArmorModelPart, in the order the CRDs are written. */
export const CUSTOM_RESOURCE_KINDS: readonly CustomResourceKind[] = [
  { ...VARMOR, kind: 'VarmorPolicy', plural: 'varmorpolicies', scope: 'Namespaced', shortNames: ['vpol'], printerColumns: POLICY_COLUMNS, schema: varmorPolicySchema },
  {
    ...VARMOR,
    kind: 'VarmorClusterPolicy',
    plural: 'varmorclusterpolicies',
    scope: 'Cluster',
    shortNames: ['vcpol'],
    printerColumns: POLICY_COLUMNS,
    schema: varmorClusterPolicySchema,
  },
  {
    ...VARMOR,
    kind: 'ArmorProfile',
    plural: 'armorprofiles',
    scope: 'Namespaced',
    shortNames: [],
    printerColumns: [
      { name: 'PROFILE', type: 'string', jsonPath: '.spec.profile.name' },
      { name: 'ENFORCER', type: 'string', jsonPath: '.spec.profile.enforcer' },
      { name: 'MODE', type: 'string', jsonPath: '.spec.profile.mode' },
      { name: 'DESIRED', type: 'integer', jsonPath: '.status.desiredNumberLoaded' },
      { name: 'CURRENT', type: 'integer', jsonPath: '.status.currentNumberLoaded' },
      AGE,
    ],
    schema: armorProfileSchema,
  },
  {
    ...VARMOR,
    kind: 'ArmorProfileModel',
    plural: 'armorprofilemodels',
    scope: 'Namespaced',
    shortNames: [],
    printerColumns: [
      { name: 'STORAGE-TYPE', type: 'string', jsonPath: '.storageType' },
      { name: 'DESIRED', type: 'integer', jsonPath: '.status.desiredNumber' },
      { name: 'COMPLETED', type: 'integer', jsonPath: '.status.completedNumber' },
      { name: 'READY', type: 'boolean', jsonPath: '.status.ready' },
      AGE,
    ],
    schema: armorProfileModelSchema,
  },
  {
    // One per node, written by that node's agent only (node-status/schema.ts): the number of profiles it applied and
    // the failed ones by name (empty when all loaded); `armorkit k8s status` prints the state per policy.
    group: NODE_STATUS_GROUP,
    version: NODE_STATUS_VERSION,
    kind: NODE_STATUS_KIND,
    plural: NODE_STATUS_PLURAL,
    scope: 'Cluster',
    shortNames: ['ans'],
    printerColumns: [
      { name: 'ENFORCERS', type: 'string', jsonPath: '.status.enforcers' },
      { name: 'PROFILES', type: 'integer', jsonPath: '.status.profileCount' },
      { name: 'FAILED', type: 'string', jsonPath: '.status.failed[*].name' },
      { name: 'HEARTBEAT', type: 'date', jsonPath: '.status.heartbeatTime' },
      AGE,
    ],
    schema: armorNodeStatusSchema,
  },
  {
    // A node's part of a BehaviorModeling run's model, in chunks (model/part-schema.ts): written by that node's agent;
    // merged by the controller into the ArmorProfileModel, which also keeps a model too large for one object in them.
    group: MODEL_PART_GROUP,
    version: MODEL_PART_VERSION,
    kind: MODEL_PART_KIND,
    plural: MODEL_PART_PLURAL,
    scope: 'Namespaced',
    shortNames: ['amp'],
    printerColumns: [
      { name: 'PROFILE', type: 'string', jsonPath: '.spec.profileName' },
      { name: 'NODE', type: 'string', jsonPath: '.spec.nodeName' },
      { name: 'CHUNK', type: 'integer', jsonPath: '.spec.chunk.index' },
      { name: 'OF', type: 'integer', jsonPath: '.spec.chunk.count' },
      { name: 'FINAL', type: 'boolean', jsonPath: '.spec.final' },
      AGE,
    ],
    schema: armorModelPartSchema,
  },
];
