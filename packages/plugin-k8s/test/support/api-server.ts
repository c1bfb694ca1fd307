// What the API server does with a custom resource before storing it, for the kinds of our generated CRDs: drop the
// nulls of non-nullable fields, prune the fields the structural schema does not name (refused instead under fieldValidation=Strict, kubectl's default since
// 1.27) and validate the rest against the OpenAPI schema (ajv, with OpenAPI v3.0's nullable and boolean exclusive
// bounds turned into their JSON Schema forms, and x-kubernetes-* honoured).
import { Ajv, type ValidateFunction } from 'ajv';
import type { OpenApiSchema } from '../../src/crd/openapi.js';

type Node = Record<string, unknown>;
const isNode = (value: unknown): value is Node => typeof value === 'object' && value !== null && !Array.isArray(value);

/** OpenAPI v3.0 (as a CRD holds it) to JSON Schema draft-07 for ajv; unknown fields are handled by prune, not here. */
export function toAjvSchema(node: OpenApiSchema): Node {
  const out: Node = {};
  for (const [key, value] of Object.entries(node)) {
    if (key.startsWith('x-kubernetes-') || key === 'nullable' || key === 'format') continue;
    if (key === 'properties' && isNode(value)) out.properties = Object.fromEntries(Object.entries(value).map(([name, child]) => [name, toAjvSchema(child as OpenApiSchema)]));
    else if ((key === 'items' || key === 'additionalProperties' || key === 'not') && isNode(value)) out[key] = toAjvSchema(value);
    else if ((key === 'anyOf' || key === 'allOf' || key === 'oneOf') && Array.isArray(value)) out[key] = value.map((member) => toAjvSchema(member as OpenApiSchema));
    else if (key === 'exclusiveMinimum' || key === 'exclusiveMaximum') continue;
    else out[key] = value;
  }
  if (node.exclusiveMinimum === true) {
    out.exclusiveMinimum = node.minimum;
    delete out.minimum;
  }
  if (node.exclusiveMaximum === true) {
    out.exclusiveMaximum = node.maximum;
    delete out.maximum;
  }
  if (node.nullable === true && typeof out.type === 'string') out.type = [out.type, 'null'];
  return out;
}

/**
 * Drops what the structural schema does not specify, as the API server's pruning does (returning the JSON pointers
 * dropped), and the nulls of non-nullable fields, which it drops as unset while decoding, before any webhook.
 */
export function prune(value: unknown, schema: OpenApiSchema, path = ''): string[] {
  if (schema['x-kubernetes-preserve-unknown-fields'] === true && !isNode(schema.properties)) return [];
  if (Array.isArray(value)) return isNode(schema.items) ? value.flatMap((item, index) => prune(item, schema.items as OpenApiSchema, `${path}/${index}`)) : [];
  if (!isNode(value)) return [];
  const dropped: string[] = [];
  const properties = isNode(schema.properties) ? schema.properties : undefined;
  for (const [name, member] of Object.entries(value)) {
    const at = `${path}/${name.replaceAll('~', '~0').replaceAll('/', '~1')}`;
    const memberSchema = properties?.[name] ?? (isNode(schema.additionalProperties) ? schema.additionalProperties : undefined);
    // PruneNonNullableNullsWithoutDefaults: a null in a field that is not nullable and has no default means unset.
    if (member === null && isNode(memberSchema) && memberSchema.nullable !== true && !('default' in memberSchema)) delete value[name];
    else if (isNode(memberSchema)) dropped.push(...prune(member, memberSchema, at));
    else if (schema['x-kubernetes-preserve-unknown-fields'] !== true) {
      dropped.push(at);
      delete value[name];
    }
  }
  return dropped;
}

export interface Admission {
  /** Fields the API server would prune (and refuse, as `unknown field`, under fieldValidation=Strict). */
  unknownFields: string[];
  /** Schema violations, as `pointer: message`. */
  errors: string[];
}

const BIGINTS_AS_NUMBERS = (_key: string, value: unknown) => (typeof value === 'bigint' ? Number(value) : value);

/** A custom resource validator for one CRD schema. */
export function apiServerValidator(schema: OpenApiSchema): (object: unknown) => Admission {
  // The root's metadata, apiVersion and kind are the API server's own; a CRD may restrict metadata.name only.
  const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false });
  const validate: ValidateFunction = ajv.compile(toAjvSchema(schema));
  const properties = isNode(schema.properties) ? schema.properties : {};
  const pruning: OpenApiSchema = { ...schema, properties: { ...properties, metadata: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } };
  return (object) => {
    // JSON round trip: the API server sees JSON (YAML integers past 2^53 become int64 or float there too).
    const copy: unknown = JSON.parse(JSON.stringify(object, BIGINTS_AS_NUMBERS));
    const unknownFields = prune(copy, pruning);
    const errors = validate(copy) ? [] : (validate.errors ?? []).map((error) => `${error.instancePath || '/'}: ${error.message ?? 'invalid'}`);
    return { unknownFields, errors };
  };
}
