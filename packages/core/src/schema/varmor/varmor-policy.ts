import { z } from 'zod';
import { asString, isRecord, withCheck } from './check.js';
import { objectMetaSchema } from './metadata.js';
import { policySchema } from './policy.js';
import { PROFILE_NAME_MAX_BYTES, profileNameFor } from './profile-name.js';
import { policyStatusSchema } from './status.js';
import { policyTargetSchema } from './target.js';

export const VARMOR_API_VERSION = 'crd.varmor.org/v1beta1';

export const varmorPolicySpecSchema = z.strictObject({
  target: policyTargetSchema,
  policy: policySchema,
  /** Roll existing Deployments/StatefulSets/DaemonSets so the policy applies (or stops applying) to them. */
  updateExistingWorkloads: z.boolean().optional(),
});
export type VarmorPolicySpec = z.infer<typeof varmorPolicySpecSchema>;

function policyKindSchema<Kind extends 'VarmorPolicy' | 'VarmorClusterPolicy'>(kind: Kind) {
  return withCheck(
    z.strictObject({
      apiVersion: z.literal(VARMOR_API_VERSION),
      kind: z.literal(kind),
      metadata: objectMetaSchema,
      spec: varmorPolicySpecSchema,
      status: policyStatusSchema.optional(),
    }),
    (policy, report) => {
      const metadata = isRecord(policy.metadata) ? policy.metadata : {};
      const name = asString(metadata.name);
      if (name === undefined || name === '') return;
      const profileName = profileNameFor({ kind, metadata: { name, namespace: asString(metadata.namespace) } });
      const bytes = Buffer.byteLength(profileName, 'utf8');
      if (bytes > PROFILE_NAME_MAX_BYTES) {
        const room = Buffer.byteLength(name, 'utf8') - (bytes - PROFILE_NAME_MAX_BYTES);
        report(
          ['metadata', 'name'],
          'constraint',
          `profile name ${JSON.stringify(profileName)} is ${bytes} bytes, over the limit of ${PROFILE_NAME_MAX_BYTES}; ` +
            `shorten metadata.name to at most ${Math.max(room, 0)} bytes`,
        );
      }
    },
  );
}

export const varmorPolicySchema = policyKindSchema('VarmorPolicy');
export const varmorClusterPolicySchema = policyKindSchema('VarmorClusterPolicy');
export type NamespacedVarmorPolicy = z.infer<typeof varmorPolicySchema>;
export type VarmorClusterPolicy = z.infer<typeof varmorClusterPolicySchema>;

/** Either policy kind, told apart by `kind`. */
export const anyVarmorPolicySchema = z.discriminatedUnion('kind', [varmorPolicySchema, varmorClusterPolicySchema]);
export type VarmorPolicy = z.infer<typeof anyVarmorPolicySchema>;
