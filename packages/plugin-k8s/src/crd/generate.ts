import type { z } from 'zod';
import { documentJsonSchema, type JsonSchemaVisitor } from '@armorkit/core/schema';
import { CUSTOM_RESOURCE_KINDS, type CustomResourceKind } from './kinds.js';
import { REFINEMENT_MARK, toOpenApi, type OpenApiSchema, type WebhookOnlyCheck } from './openapi.js';

/** An apiextensions.k8s.io/v1 CustomResourceDefinition, as armorkit writes it. */
export interface CustomResourceDefinition {
  apiVersion: 'apiextensions.k8s.io/v1';
  kind: 'CustomResourceDefinition';
  metadata: { name: string };
  spec: {
    group: string;
    names: { kind: string; listKind: string; plural: string; singular: string; shortNames?: string[] };
    scope: 'Namespaced' | 'Cluster';
    versions: {
      name: string;
      served: boolean;
      storage: boolean;
      subresources: { status: Record<string, never> };
      additionalPrinterColumns: { name: string; type: string; jsonPath: string }[];
      schema: { openAPIV3Schema: OpenApiSchema };
    }[];
  };
}

export interface GeneratedCrd {
  kind: CustomResourceKind['kind'];
  crd: CustomResourceDefinition;
  /** What the OpenAPI schema cannot say; the validating webhook (armorkit validate) checks it. */
  webhookOnly: WebhookOnlyCheck[];
}

function refinementOf(schema: z.core.$ZodType): string | undefined {
  const checks = schema._zod.def.checks ?? [];
  if (!checks.some((check) => check._zod.def.check === 'custom')) return undefined;
  const type = schema._zod.def.type;
  return type === 'object' ? 'cross-field checks of this object' : `a check of the ${type} value beyond its type, bounds and pattern`;
}

const markRefinements: JsonSchemaVisitor = (zodSchema, jsonSchema) => {
  const refinement = refinementOf(zodSchema);
  if (refinement !== undefined) jsonSchema[REFINEMENT_MARK] = refinement;
};

// At the root the API server owns apiVersion, kind and metadata: a CRD may restrict metadata.name only.
function rootSchema(kind: CustomResourceKind, checks: WebhookOnlyCheck[]): OpenApiSchema {
  const converted = toOpenApi(documentJsonSchema(kind.schema, markRefinements), checks);
  const properties = { ...(converted.properties as Record<string, OpenApiSchema>) };
  const metadata = properties.metadata?.properties as Record<string, OpenApiSchema> | undefined;
  properties.apiVersion = { type: 'string' };
  properties.kind = { type: 'string' };
  properties.metadata = metadata?.name ? { type: 'object', properties: { name: metadata.name } } : { type: 'object' };
  checks.push(
    { path: '/metadata/name', reason: 'required (the API server also takes generateName alone)' },
    { path: '/metadata', reason: 'namespace, labels and annotations are checked by the API server, not by this schema' },
  );
  const { required: convertedRequired, ...rest } = converted;
  const required = ((convertedRequired as string[] | undefined) ?? []).filter((name) => !['apiVersion', 'kind', 'metadata'].includes(name));
  return { ...rest, properties, ...(required.length > 0 ? { required } : {}) };
}

function sortedChecks(checks: WebhookOnlyCheck[]): WebhookOnlyCheck[] {
  const seen = new Map<string, WebhookOnlyCheck>();
  for (const check of checks) seen.set(`${check.path}\n${check.reason}`, check);
  return [...seen.values()].sort((a, b) => (a.path === b.path ? a.reason.localeCompare(b.reason) : a.path < b.path ? -1 : 1));
}

/** The CRD of one kind, generated from its zod schema, and the checks left to the webhook. */
export function customResourceDefinition(kind: CustomResourceKind): GeneratedCrd {
  const checks: WebhookOnlyCheck[] = [];
  const openAPIV3Schema = rootSchema(kind, checks);
  const singular = kind.kind.toLowerCase();
  const crd: CustomResourceDefinition = {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${kind.plural}.${kind.group}` },
    spec: {
      group: kind.group,
      names: {
        kind: kind.kind,
        listKind: `${kind.kind}List`,
        plural: kind.plural,
        singular,
        ...(kind.shortNames.length > 0 ? { shortNames: [...kind.shortNames] } : {}),
      },
      scope: kind.scope,
      versions: [
        {
          name: kind.version,
          served: true,
          storage: true,
          subresources: { status: {} },
          additionalPrinterColumns: kind.printerColumns.map((column) => ({ ...column })),
          schema: { openAPIV3Schema },
        },
      ],
    },
  };
  return { kind: kind.kind, crd, webhookOnly: sortedChecks(checks) };
}

/** The four CRDs of crd.varmor.org and armorkit.dev's ArmorNodeStatus, in a fixed order (the output is deterministic). */
export function customResourceDefinitions(): GeneratedCrd[] {
  return CUSTOM_RESOURCE_KINDS.map(customResourceDefinition);
}
