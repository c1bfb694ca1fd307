import { z } from 'zod';
import { isUint64Schema, UINT64_JSON_SCHEMA } from './oci-seccomp.js';
import { varmorClusterPolicySchema, varmorPolicySchema } from './varmor/varmor-policy.js';

export type JsonSchema = Record<string, unknown>;

function convert(schema: z.ZodType): JsonSchema {
  // Cross-field checks (refinements) have no JSON Schema form; the structure, enums, bounds and required fields do.
  return z.toJSONSchema(schema, {
    target: 'draft-2020-12',
    io: 'input',
    unrepresentable: 'any',
    reused: 'inline',
    override: ({ zodSchema, jsonSchema }) => {
      if (!isUint64Schema(zodSchema)) return;
      for (const key of Object.keys(jsonSchema)) delete jsonSchema[key];
      Object.assign(jsonSchema, structuredClone(UINT64_JSON_SCHEMA));
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
