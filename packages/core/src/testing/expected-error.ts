import { AssertionError } from 'node:assert';
import { type PolicyError, formatPolicyError } from '../errors.js';

/** An error a case expects: its code alone, or the code with what else must match. */
export type ExpectedError =
  | string
  | {
      code: string;
      /** The JSON pointer, exactly. */
      pointer?: string;
      /** The YAML line and column the engine located the error at (1-based). */
      line?: number;
      column?: number;
      /** A substring of the message, or a pattern it matches. */
      message?: string | RegExp;
    };

/** Fails (throws an AssertionError with both lists) unless `actual` are exactly the `expected` errors, in order. */
export function assertErrors(what: string, actual: readonly PolicyError[], expected: readonly ExpectedError[]): void {
  const codes = actual.map((error) => error.code);
  const wanted = expected.map((entry) => (typeof entry === 'string' ? entry : entry.code));
  if (codes.length !== wanted.length || codes.some((code, index) => code !== wanted[index])) {
    throw new AssertionError({ message: `${what}: expected codes [${wanted.join(', ')}], got:\n${listed(actual)}`, actual: codes, expected: wanted, operator: 'deepStrictEqual' });
  }
  expected.forEach((entry, index) => {
    const error = actual[index]!;
    const problem = typeof entry === 'string' ? undefined : mismatch(error, entry);
    if (problem) throw new AssertionError({ message: `${what}: error ${index + 1} (${error.code}) ${problem}:\n${listed(actual)}`, actual: error, expected: entry, operator: 'deepStrictEqual' });
  });
}

function mismatch(error: PolicyError, expected: Exclude<ExpectedError, string>): string | undefined {
  if (expected.pointer !== undefined && error.pointer !== expected.pointer) return `is at pointer "${error.pointer}", not "${expected.pointer}"`;
  if (expected.line !== undefined && error.location?.line !== expected.line) return `is on line ${error.location?.line ?? '(none)'}, not ${expected.line}`;
  if (expected.column !== undefined && error.location?.column !== expected.column) return `is at column ${error.location?.column ?? '(none)'}, not ${expected.column}`;
  const message = expected.message;
  if (typeof message === 'string' && !error.message.includes(message)) return `has a message without "${message}"`;
  if (message instanceof RegExp && !message.test(error.message)) return `has a message not matching ${message}`;
  return undefined;
}

/** Errors as the CLI prints them, one a line, with codes: what a failing test shows. */
export function listed(errors: readonly PolicyError[]): string {
  return errors.length === 0 ? '  (none)' : errors.map((error) => `  [${error.code}] ${formatPolicyError(error)}`).join('\n');
}
