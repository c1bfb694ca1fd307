import { closest, distance } from 'fastest-levenshtein';
import type { Enforcer } from '../enforcer.js';
import { type RuleDefinition, type RulePack, normalizeRuleId } from './define.js';

export interface RuleLookup {
  rule?: RuleDefinition;
  /** The normalised id that was looked up. */
  id: string;
  /** Nearest known id when the rule is unknown and something is close enough to be a typo. */
  suggestion?: string;
}

/** Every rule of every registered pack, by id and alias. A duplicate id across packs is an error. */
export class RuleRegistry {
  readonly #byName = new Map<string, RuleDefinition>();
  readonly #owner = new Map<string, string>();
  readonly #packs: RulePack[] = [];

  register(pack: RulePack): void {
    for (const rule of pack.rules) {
      for (const name of [rule.meta.id, ...rule.meta.aliases]) {
        const owner = this.#owner.get(name);
        if (owner !== undefined) {
          throw new TypeError(`rule pack ${pack.meta.name}: rule name "${name}" is already defined by ${owner}`);
        }
      }
    }
    for (const rule of pack.rules) {
      for (const name of [rule.meta.id, ...rule.meta.aliases]) {
        this.#byName.set(name, rule);
        this.#owner.set(name, pack.meta.name);
      }
    }
    this.#packs.push(pack);
  }

  get packs(): readonly RulePack[] {
    return this.#packs;
  }

  /** All rules, sorted by id. */
  all(): RuleDefinition[] {
    return [...new Set(this.#byName.values())].sort((a, b) => a.meta.id.localeCompare(b.meta.id));
  }

  forEnforcer(enforcer: Enforcer): RuleDefinition[] {
    return this.all().filter((rule) => rule.meta.enforcers.includes(enforcer));
  }

  packOf(rule: RuleDefinition): string | undefined {
    return this.#owner.get(rule.meta.id);
  }

  lookup(name: string): RuleLookup {
    const id = normalizeRuleId(name);
    const rule = this.#byName.get(id);
    if (rule) return { rule, id };
    if (this.#byName.size === 0) return { id };
    const nearest = closest(id, [...this.#byName.keys()]);
    // A suggestion only when it plausibly is a typo: at most a third of the name differs.
    return distance(id, nearest) <= Math.max(2, Math.floor(id.length / 3)) ? { id, suggestion: nearest } : { id };
  }
}
