import type { PlannedRule, ViolationAction } from '@armorkit/core';

interface Entry {
  rules: readonly PlannedRule['rule'][];
  text: string;
}

/**
 * The profile texts of EnhanceProtect plans without raw rules, by their rules and violation action: such a profile is
 * a pure function of the two (enhanceProtectProfile; a rule does not change once defined), and many policies share a
 * rule set, so its JSON text is made once. A hit is the same rule objects in the same order (not only the same ids:
 * two engines may register different rules under one id). The most recent `capacity` kept. Only the text is kept:
 * each artifact still has its own data.
 */
export class RulesTextCache {
  readonly #entries = new Map<string, Entry>();

  constructor(private readonly capacity = 256) {}

  text(rules: readonly PlannedRule[], action: ViolationAction, make: () => string): string {
    const key = `${action}\0${rules.map((planned) => planned.rule.meta.id).join('\0')}`;
    const found = this.#entries.get(key);
    if (found && found.rules.length === rules.length && found.rules.every((rule, i) => rule === rules[i]!.rule)) {
      // Most recently used last, so the oldest is the first key.
      this.#entries.delete(key);
      this.#entries.set(key, found);
      return found.text;
    }
    const text = make();
    this.#entries.delete(key);
    this.#entries.set(key, { rules: rules.map((planned) => planned.rule), text });
    if (this.#entries.size > this.capacity) this.#entries.delete(this.#entries.keys().next().value!);
    return text;
  }
}
