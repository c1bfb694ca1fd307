import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Engine, PolicyError, PolicyIR } from '@armorkit/core';
import { UsageError } from '../io.js';

type Chosen = { policy: PolicyIR; errors: [] } | { policy?: undefined; errors: PolicyError[] };

/** A --policy file parsed; unreadable is a usage error. */
function parseFile(engine: Engine, file: string, cwd: string): ReturnType<Engine['parse']> {
  let text: string;
  try {
    text = readFileSync(resolve(cwd, file), 'utf8');
  } catch {
    throw new UsageError(`--policy: cannot read ${file}`);
  }
  return engine.parse(text, file);
}

/**
 * The one policy of `--policy FILE` a command confines with (`model`): `--name` picks it when the file holds
 * several. Parse problems are returned; an unreadable file or an ambiguous choice is a usage error.
 */
export function readOnePolicy(engine: Engine, options: { policy: string; name?: string }, cwd: string): Chosen {
  const parsed = parseFile(engine, options.policy, cwd);
  if (parsed.errors.length > 0) return { errors: parsed.errors };
  const candidates = options.name ? parsed.policies.filter((p) => p.name === options.name) : parsed.policies;
  if (candidates.length !== 1) {
    const names = parsed.policies.map((p) => p.name).join(', ') || 'none';
    throw new UsageError(`--policy: ${options.policy} has ${candidates.length} matching policies (${names}); choose one with --name`);
  }
  return { policy: candidates[0]!, errors: [] };
}

/**
 * The policy `run` confines with: every policy of the --policy files (or those `--name` names), as one. KubeArmor
 * policies are merged, as KubeArmor merges the policies that select a container; vArmor applies one policy per
 * workload, so several vArmor policies are an error naming them (choose one with --name).
 */
export function readCombinedPolicy(engine: Engine, options: { policy: readonly string[]; name?: readonly string[] }, cwd: string): Chosen {
  const policies: PolicyIR[] = [];
  const errors: PolicyError[] = [];
  for (const file of options.policy) {
    const parsed = parseFile(engine, file, cwd);
    errors.push(...parsed.errors);
    policies.push(...parsed.policies);
  }
  if (errors.length > 0) return { errors };
  const names = options.name ?? [];
  for (const name of names) {
    if (!policies.some((policy) => policy.name === name)) throw new UsageError(`--name: no policy ${name} in ${options.policy.join(', ')} (${policies.map((p) => p.name).join(', ') || 'none'})`);
  }
  const chosen = names.length > 0 ? policies.filter((policy) => names.includes(policy.name)) : policies;
  if (chosen.length === 0) throw new UsageError(`--policy: ${options.policy.join(', ')} holds no policy`);
  const combined = engine.combine(chosen);
  return combined.policy ? { policy: combined.policy, errors: [] } : { errors: combined.errors };
}
