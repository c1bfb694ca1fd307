import type { JsonSchema } from '@armorkit/core/schema';

/** A node of a CRD's `openAPIV3Schema` (apiextensions.k8s.io/v1 JSONSchemaProps). */
export type OpenApiSchema = { [key: string]: unknown };

/** A check the OpenAPI schema cannot state: the API server does not make it, the validating webhook does. */
export interface WebhookOnlyCheck {
  /** Where, as a JSON pointer with `*` for every item of a list or value of a map. */
  path: string;
  reason: string;
}

/** Set by the JSON Schema visitor on a node whose zod schema has a refinement (superRefine / withCheck). */
export const REFINEMENT_MARK = 'x-armorkit-refinement';

interface Context {
  path: string;
  checks: WebhookOnlyCheck[];
}

const isObject = (value: unknown): value is JsonSchema => typeof value === 'object' && value !== null && !Array.isArray(value);

// JSON Schema keywords that carry over to OpenAPI v3 unchanged (the value validations Kubernetes evaluates).
const KEPT = ['description', 'format', 'pattern', 'minLength', 'maxLength', 'minimum', 'maximum', 'minItems', 'maxItems', 'enum', 'default'] as const;

/**
 * A structural OpenAPI v3 schema of a JSON Schema (draft 2020-12, as zod writes it): no `$ref`, one type per node,
 * `x-kubernetes-int-or-string` for integer-or-string unions, `x-kubernetes-preserve-unknown-fields` where any value
 * goes, `nullable` for `| null`. Every check this loses — refinements, unions it cannot state, closed objects — is
 * recorded in `checks` with its path, for the webhook and the docs; nothing is dropped without a record.
 */
export function toOpenApi(json: JsonSchema, checks: WebhookOnlyCheck[], path = ''): OpenApiSchema {
  return convert(json, { path, checks });
}

function note(context: Context, reason: string): void {
  context.checks.push({ path: context.path || '/', reason });
}

function child(context: Context, segment: string): Context {
  return { ...context, path: `${context.path}/${segment.replaceAll('~', '~0').replaceAll('/', '~1')}` };
}

function convert(json: JsonSchema, context: Context): OpenApiSchema {
  if (json[REFINEMENT_MARK] !== undefined) note(context, String(json[REFINEMENT_MARK]));
  const union = json.anyOf ?? json.oneOf;
  if (Array.isArray(union)) return convertUnion(json, union.filter(isObject), context);
  if ('const' in json) return withType({ enum: [json.const] }, json.const, context);
  if (json.type === undefined) {
    // `{}`: zod's "any value" (z.unknown, bigint members): Kubernetes keeps whatever is there.
    return { 'x-kubernetes-preserve-unknown-fields': true };
  }
  if (Array.isArray(json.type)) {
    note(context, `one of the types ${json.type.join(', ')}`);
    return { 'x-kubernetes-preserve-unknown-fields': true };
  }
  const out: OpenApiSchema = { type: json.type };
  for (const key of KEPT) if (key in json) out[key] = json[key];
  bounds(json, out);
  if (json.type === 'object') convertObject(json, out, context);
  if (json.type === 'array') out.items = isObject(json.items) ? convert(json.items, child(context, '*')) : { 'x-kubernetes-preserve-unknown-fields': true };
  for (const key of ['not', 'allOf', 'prefixItems', 'dependentRequired', 'dependentSchemas', 'if', 'uniqueItems']) {
    if (key in json) note(context, `JSON Schema ${key}, which a structural schema cannot carry`);
  }
  return out;
}

// draft 2020-12 writes exclusive bounds as numbers, OpenAPI v3.0 as a boolean beside minimum/maximum.
function bounds(json: JsonSchema, out: OpenApiSchema): void {
  if (typeof json.exclusiveMinimum === 'number') {
    out.minimum = json.exclusiveMinimum;
    out.exclusiveMinimum = true;
  }
  if (typeof json.exclusiveMaximum === 'number') {
    out.maximum = json.exclusiveMaximum;
    out.exclusiveMaximum = true;
  }
}

function convertObject(json: JsonSchema, out: OpenApiSchema, context: Context): void {
  const properties = isObject(json.properties) ? json.properties : undefined;
  const additional = json.additionalProperties;
  if (properties) {
    out.properties = Object.fromEntries(
      Object.entries(properties).map(([name, schema]) => [name, convert(isObject(schema) ? schema : {}, child(context, name))]),
    );
    if (Array.isArray(json.required) && json.required.length > 0) out.required = json.required;
    // Closed objects (additionalProperties: false) are what pruning and strict field validation give; an open one
    // (a loose zod object) keeps the fields it does not name.
    if (additional !== undefined && additional !== false) out['x-kubernetes-preserve-unknown-fields'] = true;
  } else if (isObject(additional)) {
    if (Object.keys(additional).length === 0) out['x-kubernetes-preserve-unknown-fields'] = true;
    else out.additionalProperties = convert(additional, child(context, '*'));
  } else if (additional === true) {
    out['x-kubernetes-preserve-unknown-fields'] = true;
  }
  if (isObject(json.propertyNames) && Object.keys(json.propertyNames).some((key) => key !== 'type')) {
    note(context, 'a constraint on the keys of the map');
  }
}

function withType(out: OpenApiSchema, value: unknown, context: Context): OpenApiSchema {
  const type = typeof value === 'number' ? (Number.isInteger(value) ? 'integer' : 'number') : typeof value;
  if (type === 'string' || type === 'integer' || type === 'number' || type === 'boolean') return { type, ...out };
  note(context, `the constant ${JSON.stringify(value)}`);
  return { 'x-kubernetes-preserve-unknown-fields': true };
}

function convertUnion(json: JsonSchema, members: JsonSchema[], context: Context): OpenApiSchema {
  const nonNull = members.filter((member) => member.type !== 'null');
  if (nonNull.length < members.length && nonNull.length === 1 && nonNull[0]) {
    return { ...convert({ ...json, anyOf: undefined, oneOf: undefined, ...nonNull[0] }, context), nullable: true };
  }
  const types = new Set(nonNull.map((member) => member.type));
  if (types.size === 2 && types.has('integer') && types.has('string') && nonNull.length === 2) {
    // The int-or-string form Kubernetes admits: the members' own bounds and pattern apply to their type only.
    const out: OpenApiSchema = { 'x-kubernetes-int-or-string': true, anyOf: [{ type: 'integer' }, { type: 'string' }] };
    for (const member of nonNull) {
      for (const key of ['minimum', 'maximum', 'pattern', 'minLength', 'maxLength'] as const) if (key in member) out[key] = member[key];
    }
    if (typeof json.description === 'string') out.description = json.description;
    return out;
  }
  if (types.size === 1 && types.has('object')) {
    note(context, 'one of several object shapes');
    return { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
  }
  note(context, `one of: ${nonNull.map((member) => (typeof member.type === 'string' ? member.type : 'any value')).join(', ')}`);
  return { 'x-kubernetes-preserve-unknown-fields': true };
}
