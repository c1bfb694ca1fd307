import { z } from 'zod';

export const SELECTOR_OPERATORS = ['In', 'NotIn'] as const;

/** KubeArmorPolicy's `selector.matchExpressions[]`: values are `key=value` label strings (`app=nginx`). */
export const labelExpressionSchema = z.strictObject({
  key: z.enum(['label']).optional(),
  operator: z.enum(SELECTOR_OPERATORS).optional(),
  values: z.array(z.string()).optional(),
});
export type LabelExpression = z.infer<typeof labelExpressionSchema>;

/** KubeArmorPolicy's `selector`: the pods of the policy's namespace with these labels (both parts must match). */
export const podSelectorSchema = z.strictObject({
  matchLabels: z.record(z.string(), z.string()).optional(),
  matchExpressions: z.array(labelExpressionSchema).optional(),
});
export type PodSelector = z.infer<typeof podSelectorSchema>;

/** KubeArmorClusterPolicy's `selector.matchExpressions[]`: by namespace name, or by `key=value` label. */
export const clusterExpressionSchema = z.strictObject({
  key: z.enum(['namespace', 'label']).optional(),
  operator: z.enum(SELECTOR_OPERATORS).optional(),
  values: z.array(z.string()).optional(),
});
export type ClusterExpression = z.infer<typeof clusterExpressionSchema>;

/** KubeArmorClusterPolicy's `selector`: expressions only (no matchLabels). */
export const clusterSelectorSchema = z.strictObject({
  matchExpressions: z.array(clusterExpressionSchema).optional(),
});
export type ClusterSelector = z.infer<typeof clusterSelectorSchema>;

/** KubeArmorHostPolicy's `nodeSelector`: node labels (exact, `*`, a comma list, or `...reg` keys with a regex). */
export const nodeSelectorSchema = z.strictObject({
  matchLabels: z.record(z.string(), z.string()).optional(),
});
export type NodeSelector = z.infer<typeof nodeSelectorSchema>;
