import { z } from 'zod';
import { isUint64Schema, UINT64_JSON_SCHEMA } from './oci-seccomp.js';
import { varmorClusterPolicySchema, varmorPolicySchema } from './varmor/varmor-policy.js';

export type JsonSchema = Record<string, unknown>;

/** Sees each zod node with the JSON Schema made of it (the CRD generator marks there the checks JSON Schema cannot show). */
export type JsonSchemaVisitor = (zodSchema: z.core.$ZodType, jsonSchema: JsonSchema) => void;

/** JSON Schema (draft 2020-12) of any vArmor document schema; uint64 fields get their integer-or-decimal form. */
export function documentJsonSchema(schema: z.ZodType, visit?: JsonSchemaVisitor): JsonSchema {
  return convert(schema, visit);
}

function convert(schema: z.ZodType, visit?: JsonSchemaVisitor): JsonSchema {
  // Cross-field checks (refinements) have no JSON Schema form; the structure, enums, bounds and required fields do.
  return z.toJSONSchema(schema, {
    target: 'draft-2020-12',
    io: 'input',
    unrepresentable: 'any',
    reused: 'inline',
    override: ({ zodSchema, jsonSchema }) => {
      if (isUint64Schema(zodSchema)) {
        for (const key of Object.keys(jsonSchema)) delete jsonSchema[key];
        Object.assign(jsonSchema, structuredClone(UINT64_JSON_SCHEMA));
      }
      visit?.(zodSchema, jsonSchema);
    },
  }) as JsonSchema;
}

/** JSON Schema (draft 2020-12) of one vArmor policy kind, from the same zod schema that validates it. */
export function policyKindJsonSchema(kind: 'VarmorPolicy' | 'VarmorClusterPolicy'): JsonSchema {
  return convert(kind === 'VarmorPolicy' ? varmorPolicySchema : varmorClusterPolicySchema);
}

/** JSON Schema (draft 2020-12) accepting a VarmorPolicy or a VarmorClusterPolicy, for editors and CRD OpenAPI schemas. */
export function policyJsonSchema(): JsonSchema {
  const namespaced = policyKindJsonSchema('VarmorPolicy');
  const cluster = policyKindJsonSchema('VarmorClusterPolicy');
  const strip = ({ $schema: _schema, ...rest }: JsonSchema) => rest;
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: 'https://armorkit.dev/schemas/varmor-policy.json',
    title: 'vArmor policy (crd.varmor.org/v1beta1 VarmorPolicy or VarmorClusterPolicy)',
    oneOf: [
      { title: 'VarmorPolicy', ...strip(namespaced) },
      { title: 'VarmorClusterPolicy', ...strip(cluster) },
    ],
  };
}
