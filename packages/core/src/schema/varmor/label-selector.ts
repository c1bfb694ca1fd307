import { z } from 'zod';
import { asArray, asString, withCheck } from './check.js';

export const LABEL_SELECTOR_OPERATORS = ['In', 'NotIn', 'Exists', 'DoesNotExist'] as const;

/** One `matchExpressions` entry (Kubernetes `LabelSelectorRequirement`). */
export const labelSelectorRequirementSchema = withCheck(
  z.strictObject({
    key: z.string().min(1),
    operator: z.enum(LABEL_SELECTOR_OPERATORS),
    values: z.array(z.string()).optional(),
  }),
  (requirement, report) => {
    const operator = asString(requirement.operator);
    const values = requirement.values;
    if (operator === 'In' || operator === 'NotIn') {
      if (asArray(values).length === 0) {
        report(['values'], 'required', `operator ${operator} needs a non-empty values list`);
      }
    } else if ((operator === 'Exists' || operator === 'DoesNotExist') && values !== undefined) {
      report(['values'], 'constraint', `operator ${operator} takes no values; remove the values list`);
    }
  },
);

/** Kubernetes `LabelSelector`; an empty selector matches every object of the kind. */
export const labelSelectorSchema = z.strictObject({
  matchLabels: z.record(z.string(), z.string()).optional(),
  matchExpressions: z.array(labelSelectorRequirementSchema).optional(),
});
export type LabelSelector = z.infer<typeof labelSelectorSchema>;
