import { DEFAULT_MATCH_LABELS, type MatchLabels, parseMatchLabels } from '@armorkit/plugin-k8s';
import { UsageError } from '../io.js';

/** `--match-label`, repeatable (every label must be on the workload): the labels given, or the default when none is. */
export function matchLabelsOption(texts: readonly string[] | undefined): MatchLabels {
  if (texts === undefined) return DEFAULT_MATCH_LABELS;
  const parsed = parseMatchLabels(texts);
  if (!parsed.ok) throw new UsageError(`--match-label: ${parsed.errors[0]!.message}`);
  return parsed.value;
}
