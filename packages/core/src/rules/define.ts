import { z } from 'zod';
import { enforcerSchema } from '../enforcer.js';
import type { RuleFragments } from './fragments.js';

/** Where a rule may be listed in a policy (vArmor's three lists). */
export const RULE_SECTIONS = ['hardening', 'attackProtection', 'vulMitigation'] as const;
export const ruleSectionSchema = z.enum(RULE_SECTIONS);
export type RuleSection = z.infer<typeof ruleSectionSchema>;

/** A rule id: lower case words joined by `-` (`disable-cap-net-raw`). */
export const ruleIdSchema = z
  .string()
  .regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'a rule id is lower-case words joined by "-" (e.g. "disable-cap-net-raw")');

export const ruleMetaSchema = z.strictObject({
  id: ruleIdSchema,
  aliases: z.array(ruleIdSchema).default([]),
  /** The list it belongs in; a rule listed elsewhere still applies (as in vArmor) but `explain` mentions it. */
  section: ruleSectionSchema,
  /** Catalogue grouping (`escape-pattern`, `capability`, `information-leak`, ...). */
  category: z.string().min(1),
  description: z.string().min(1),
  /** Meant for privileged containers (the non-privileged base profile already covers it). */
  privilegedOnly: z.boolean().default(false),
  /** Enforcers that implement it; must match the fragments given. */
  enforcers: z.array(enforcerSchema),
  /** CVE ids for vulnerability mitigations. */
  cves: z.array(z.string()).default([]),
  url: z.string().optional(),
});
export type RuleMeta = z.infer<typeof ruleMetaSchema>;
export type RuleMetaInput = z.input<typeof ruleMetaSchema>;

export interface RuleDefinition {
  meta: RuleMeta;
  fragments: RuleFragments;
}

export interface RulePackMeta {
  name: string;
  version: string;
}

export interface RulePack {
  meta: RulePackMeta;
  rules: readonly RuleDefinition[];
}

/** Builds one rule; checks its metadata so a broken pack fails when it is defined, not when a policy uses it. */
export function defineRule(meta: RuleMetaInput, fragments: RuleFragments): RuleDefinition {
  const parsed = ruleMetaSchema.parse(meta);
  const withFragments = parsed.enforcers.filter((enforcer) => fragments[enforcer.toLowerCase()] !== undefined);
  if (withFragments.length !== parsed.enforcers.length) {
    const missing = parsed.enforcers.filter((e) => !withFragments.includes(e));
    throw new TypeError(`rule ${parsed.id}: declares enforcers ${missing.join(', ')} but has no fragment for them`);
  }
  return Object.freeze({ meta: Object.freeze(parsed), fragments: Object.freeze({ ...fragments }) });
}

/** A rule pack, ESLint-plugin style: `meta` mirrors the package's name and version. */
export function defineRulePack(meta: RulePackMeta, rules: readonly RuleDefinition[]): RulePack {
  return Object.freeze({ meta: Object.freeze({ ...meta }), rules: Object.freeze([...rules]) });
}

/** vArmor's normalisation: lower case, `_` → `-`; we also trim the whitespace some real policies carry. */
export function normalizeRuleId(name: string): string {
  return name.trim().toLowerCase().replace(/_/g, '-');
}
