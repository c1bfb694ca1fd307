// Types of bench/policy-outcome.mjs (plain JavaScript, run by node directly) for the tests that import it.
import type { Engine, PolicyError } from '@armorkit/core';

export interface PolicyOutcome {
  /** Policies the engine parsed out of the text. */
  policies: number;
  errors: PolicyError[];
  /** Malformed errors: no code, a pointer into nothing, a message showing `[native code]`, `undefined`, `[object Object]`. */
  defects: string[];
  /** Whatever a stage threw; the checks require there is none. */
  exception?: unknown;
}

/** `text` through parse → resolve → compile (every enforcer of `engine`). */
export function policyOutcome(engine: Engine, text: string, file?: string): PolicyOutcome;

/** What is wrong with each error, given the text the errors are about. */
export function errorDefects(errors: readonly PolicyError[], text: string, file: string): string[];

/** A document as JSON text (YAML), bigints written as plain integers. */
export function policyText(data: unknown): string;
