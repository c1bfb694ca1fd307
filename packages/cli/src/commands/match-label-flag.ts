import { Option } from 'commander';

/**
 * `--match-label <k=v>`, repeatable, as `k8s mutate`, `k8s webhook` and `k8s manager` declare it (main.ts loads this at
 * start, so it needs commander only); matchLabelsOption reads what it collects.
 */
export function matchLabelFlag(description: string): Option {
  return new Option('--match-label <k=v>', description).argParser((value: string, previous: string[] | undefined) => [...(previous ?? []), value]);
}
