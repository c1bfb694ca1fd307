import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Engine, PolicyError, PolicyIR } from '@armorkit/core';
import { UsageError } from '../io.js';

/**
 * The one policy of `--policy FILE` a command confines with (`run`, `model`): `--name` picks it when the file holds
 * several. Parse problems are returned; an unreadable file or an ambiguous choice is a usage error.
 */
export function readOnePolicy(engine: Engine, options: { policy: string; name?: string }, cwd: string): { policy: PolicyIR; errors: [] } | { policy?: undefined; errors: PolicyError[] } {
  let text: string;
  try {
    text = readFileSync(resolve(cwd, options.policy), 'utf8');
  } catch {
    throw new UsageError(`--policy: cannot read ${options.policy}`);
  }
  const parsed = engine.parse(text, options.policy);
  if (parsed.errors.length > 0) return { errors: parsed.errors };
  const candidates = options.name ? parsed.policies.filter((p) => p.name === options.name) : parsed.policies;
  if (candidates.length !== 1) {
    const names = parsed.policies.map((p) => p.name).join(', ') || 'none';
    throw new UsageError(`--policy: ${options.policy} has ${candidates.length} matching policies (${names}); choose one with --name`);
  }
  return { policy: candidates[0]!, errors: [] };
}
