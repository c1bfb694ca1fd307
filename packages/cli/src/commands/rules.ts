import { describeFragment, type Engine, enforcerFromId, enforcerId } from '@armorkit/core';
import { EXIT, UsageError, type CliIO } from '../io.js';

/** `armorkit rules [--enforcer E] [--format json]`: the catalogue of every registered rule pack. */
export function rulesCommand(engine: Engine, options: { enforcer?: string; format?: string }, io: CliIO): number {
  const format = options.format ?? 'text';
  if (format !== 'text' && format !== 'json') throw new UsageError(`--format: expected text or json, got "${format}"`);
  const enforcer = options.enforcer === undefined ? undefined : enforcerFromId(options.enforcer);
  if (options.enforcer !== undefined && !enforcer) {
    throw new UsageError(`--enforcer: unknown enforcer "${options.enforcer}" (use apparmor, bpf, seccomp or networkproxy)`);
  }
  const rules = enforcer ? engine.rules.forEnforcer(enforcer) : engine.rules.all();
  if (format === 'json') {
    io.out(
      JSON.stringify(
        rules.map((rule) => ({ ...rule.meta, pack: engine.rules.packOf(rule), fragments: rule.fragments })),
        null,
        2,
      ),
    );
    return EXIT.ok;
  }
  if (rules.length === 0) {
    io.out('no rules: no rule pack is registered (install @armorkit/builtin-rules)');
    return EXIT.ok;
  }
  let category = '';
  for (const rule of [...rules].sort((a, b) => a.meta.category.localeCompare(b.meta.category) || a.meta.id.localeCompare(b.meta.id))) {
    if (rule.meta.category !== category) {
      category = rule.meta.category;
      io.out(`\n${category}`);
    }
    const aliases = rule.meta.aliases.length > 0 ? ` (alias ${rule.meta.aliases.join(', ')})` : '';
    const privileged = rule.meta.privilegedOnly ? ' [privileged containers]' : '';
    io.out(`  ${rule.meta.id}${aliases}${privileged}: ${rule.meta.description}`);
    for (const e of rule.meta.enforcers) {
      if (enforcer && e !== enforcer) continue;
      const effects = describeFragment(enforcerId(e), rule.fragments);
      io.out(`    ${e}: ${effects.join('; ')}`);
    }
  }
  return EXIT.ok;
}
