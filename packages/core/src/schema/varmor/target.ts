import { z } from 'zod';
import { withCheck } from './check.js';
import { labelSelectorSchema } from './label-selector.js';

export const TARGET_KINDS = ['Deployment', 'StatefulSet', 'DaemonSet', 'Pod'] as const;

/** The workloads (and containers) a policy protects: one by name, or all those a selector matches. */
export const policyTargetSchema = withCheck(
  z.strictObject({
    kind: z.enum(TARGET_KINDS),
    name: z.string().min(1).optional(),
    selector: labelSelectorSchema.optional(),
    /** Empty or absent: every container (not init or ephemeral containers). */
    containers: z.array(z.string().min(1)).optional(),
  }),
  (target, report) => {
    if (target.name !== undefined && target.selector !== undefined) {
      report(['selector'], 'constraint', 'name and selector are mutually exclusive; keep one of them');
    } else if (target.name === undefined && target.selector === undefined) {
      report([], 'required', 'target needs either name (one workload) or selector (the workloads it matches)');
    }
  },
);
export type PolicyTarget = z.infer<typeof policyTargetSchema>;
