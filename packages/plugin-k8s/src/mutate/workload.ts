import type { PodContainer, PodView, PolicyError, Result, SecurityProfileView } from '@armorkit/core';
import { fail, ok } from '@armorkit/core';
import { z } from 'zod';
import { mutateErrors } from './errors.js';
import { type PathSegment, toPointer } from './json-patch.js';

// What the webhook reads of a Pod or a workload's pod template. Loose objects: every other field is kept as it is
// (the patch is made against the object itself) and only the fields the mutation reads are checked.

const securityProfileSchema = z.looseObject({ type: z.string(), localhostProfile: z.string().optional() });
const namedSchema = z.looseObject({ name: z.string().min(1) });
const containerSchema = z.looseObject({
  name: z.string().min(1),
  securityContext: z
    .looseObject({ privileged: z.boolean().nullish(), seccompProfile: securityProfileSchema.nullish(), appArmorProfile: securityProfileSchema.nullish() })
    .nullish(),
  env: z.array(namedSchema).nullish(),
  volumeMounts: z.array(namedSchema).nullish(),
});
const podSpecSchema = z.looseObject({
  containers: z.array(containerSchema).min(1),
  initContainers: z.array(namedSchema).nullish(),
  volumes: z.array(namedSchema).nullish(),
  securityContext: z.looseObject({ seccompProfile: securityProfileSchema.nullish(), appArmorProfile: securityProfileSchema.nullish() }).nullish(),
});
const metadataSchema = z.looseObject({
  name: z.string().optional(),
  namespace: z.string().optional(),
  labels: z.record(z.string(), z.string()).nullish(),
  annotations: z.record(z.string(), z.string()).nullish(),
});
const podSchema = z.looseObject({ apiVersion: z.literal('v1'), kind: z.literal('Pod'), metadata: metadataSchema, spec: podSpecSchema });
const workloadSchema = z.looseObject({
  apiVersion: z.literal('apps/v1'),
  kind: z.enum(['Deployment', 'StatefulSet', 'DaemonSet']),
  metadata: metadataSchema,
  spec: z.looseObject({ template: z.looseObject({ metadata: metadataSchema.nullish(), spec: podSpecSchema }) }),
});

export const WORKLOAD_KINDS = ['Pod', 'Deployment', 'StatefulSet', 'DaemonSet'] as const;
export type WorkloadKind = (typeof WORKLOAD_KINDS)[number];

/** A Pod or workload, read: what matching needs, the pod as enforcers see it, and where its parts are. */
export interface Workload {
  kind: WorkloadKind;
  name: string;
  namespace: string;
  /** The object's own labels (a Deployment's, not its template's): what policies select and the match label is. */
  labels: Readonly<Record<string, string>>;
  pod: PodView;
  /** Where the pod's metadata and spec are: `/metadata`, `/spec` for a Pod; under `/spec/template` for workloads. */
  podMetadataPath: readonly PathSegment[];
  podSpecPath: readonly PathSegment[];
  /** The object as given (plain JSON). */
  object: Record<string, unknown>;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

const kindOf = (object: unknown) => (typeof object === 'object' && object !== null && 'kind' in object ? object.kind : undefined);

/** Reads an object the webhook may change; `namespace` is the request's (objects being created may not carry one). */
export function readWorkload(object: unknown, namespace?: string): Result<Workload> {
  const kind = kindOf(object);
  if (typeof kind !== 'string' || !(WORKLOAD_KINDS as readonly string[]).includes(kind)) {
    return fail([mutateErrors.error('workload-kind-unsupported', '/kind', `kind ${JSON.stringify(kind ?? null)} is not one the mutating webhook changes (${WORKLOAD_KINDS.join(', ')})`)]);
  }
  const parsed = kind === 'Pod' ? podSchema.safeParse(object) : workloadSchema.safeParse(object);
  if (!parsed.success) return fail(parsed.error.issues.map(issueError));
  const data = parsed.data;
  const isPod = data.kind === 'Pod';
  const podMetadataPath = isPod ? ['metadata'] : ['spec', 'template', 'metadata'];
  const podSpecPath = isPod ? ['spec'] : ['spec', 'template', 'spec'];
  const podMetadata = data.kind === 'Pod' ? data.metadata : data.spec.template.metadata;
  const podSpec = data.kind === 'Pod' ? data.spec : data.spec.template.spec;
  const duplicate = podSpec.containers.findIndex((container, index) => podSpec.containers.findIndex((other) => other.name === container.name) !== index);
  if (duplicate >= 0) {
    const pointer = toPointer([...podSpecPath, 'containers', duplicate, 'name']);
    return fail([mutateErrors.error('workload-invalid', pointer, `two containers are named "${podSpec.containers[duplicate]!.name}"; container names must be unique`)]);
  }
  const containers: PodContainer[] = podSpec.containers.map((container, index) => ({
    name: container.name,
    index,
    pointer: toPointer([...podSpecPath, 'containers', index]),
    privileged: container.securityContext?.privileged === true,
    ...profiles(container.securityContext),
    env: (container.env ?? []).map((entry) => entry.name),
    volumeMounts: (container.volumeMounts ?? []).map((mount) => mount.name),
  }));
  const pod: PodView = {
    workloadKind: data.kind,
    annotations: podMetadata?.annotations ?? {},
    ...profiles(podSpec.securityContext),
    containers,
    initContainers: (podSpec.initContainers ?? []).map((container) => container.name),
    volumes: (podSpec.volumes ?? []).map((volume) => volume.name),
  };
  return ok({
    kind: data.kind,
    name: data.metadata.name ?? '',
    namespace: namespace ?? data.metadata.namespace ?? 'default',
    labels: data.metadata.labels ?? {},
    pod,
    podMetadataPath,
    podSpecPath,
    // The object as given, not zod's copy (which puts the fields it knows first): patches and --apply keep its order.
    object: isRecord(object) ? object : data,
  });
}

function profiles(context: { seccompProfile?: SecurityProfileView | null; appArmorProfile?: SecurityProfileView | null } | null | undefined) {
  return {
    ...(context?.seccompProfile ? { seccompProfile: view(context.seccompProfile) } : {}),
    ...(context?.appArmorProfile ? { appArmorProfile: view(context.appArmorProfile) } : {}),
  };
}

const view = (profile: SecurityProfileView): SecurityProfileView =>
  profile.localhostProfile === undefined ? { type: profile.type } : { type: profile.type, localhostProfile: profile.localhostProfile };

const EXPECTED: Readonly<Record<string, string>> = { object: 'a mapping', record: 'a mapping of strings', array: 'a list', string: 'a string', boolean: 'a boolean', number: 'a number' };

function issueError(issue: z.core.$ZodIssue): PolicyError {
  const pointer = toPointer(issue.path.map((segment) => (typeof segment === 'symbol' ? String(segment.description) : segment)));
  const message =
    issue.code === 'invalid_type'
      ? `expected ${EXPECTED[issue.expected] ?? issue.expected}`
      : issue.code === 'invalid_value'
        ? `expected ${issue.values.map((value) => JSON.stringify(value)).join(' or ')}`
        : issue.code === 'too_small'
          ? 'must not be empty'
          : issue.message;
  return mutateErrors.error('workload-invalid', pointer, message);
}
