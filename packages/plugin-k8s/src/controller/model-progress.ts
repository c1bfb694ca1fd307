import type { DynamicResult } from '@armorkit/core/model';
import { type AssembledParts, mergeNodeParts } from '../model/assemble-parts.js';

export interface ModelProgressInput {
  parts: AssembledParts;
  /** The nodes with a live agent: each records for the run (vArmor's desiredNumber = the number of agents). */
  liveNodes: ReadonlySet<string>;
  /** The end of the run (ms). */
  deadline: number;
  now: number;
  /** After the deadline, how long live nodes that have not sent their final part are waited for (ms). */
  grace: number;
}

export interface ModelProgress {
  completed: boolean;
  desired: number;
  /** Nodes whose final part is in, sorted. */
  completedNodes: string[];
  /** Live nodes whose final part is not in (yet), sorted. */
  missing: string[];
  /** The nodes' parts merged (so far). */
  dynamicResult: DynamicResult;
  /** When to look again without a new part (ms): the deadline, or the end of the grace; none once completed. */
  recheckAt?: number;
}

/**
 * Where a modelling run stands (reference §5.1 step 5, with the clock instead of vArmor's "every agent POSTed"): it
 * is complete once the duration is over and every live node sent its final part, or the grace after the duration is
 * over (a node that went away does not hold the model back for ever). Pure.
 */
export function modelProgress(input: ModelProgressInput): ModelProgress {
  const completedNodes = [...input.parts.nodes].filter(([, part]) => part.final).map(([node]) => node).sort();
  const done = new Set(completedNodes);
  const missing = [...input.liveNodes].filter((node) => !done.has(node)).sort();
  const over = input.now >= input.deadline;
  const completed = over && (missing.length === 0 || input.now >= input.deadline + input.grace);
  const progress: ModelProgress = { completed, desired: input.liveNodes.size, completedNodes, missing, dynamicResult: mergeNodeParts(input.parts) };
  if (!completed) progress.recheckAt = over ? input.deadline + input.grace : input.deadline;
  return progress;
}

/** `3 of 4 nodes sent their part (node-d did not)`: for the model's and the policy's status. */
export function describeProgress(progress: ModelProgress): string {
  const named = progress.missing.slice(0, 5).join(', ') + (progress.missing.length > 5 ? `, and ${progress.missing.length - 5} more` : '');
  return `${progress.completedNodes.length} of ${progress.desired} nodes sent their final part${progress.missing.length > 0 ? ` (not yet: ${named})` : ''}`;
}
