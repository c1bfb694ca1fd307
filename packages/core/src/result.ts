import type { PolicyError } from './errors.js';

/** A stage that worked: its value, and the problems that did not stop it. */
export interface Success<T> {
  ok: true;
  value: T;
  warnings: PolicyError[];
}

/** A stage that did not work: why (at least one error), and the warnings found on the way. */
export interface Failure {
  ok: false;
  errors: PolicyError[];
  warnings: PolicyError[];
}

/** What every stage returns (parse, resolve, compile, verify, load, unload, confine, auditSource, close). */
export type Result<T> = Success<T> | Failure;

export function ok<T>(value: T, warnings: readonly PolicyError[] = []): Success<T> {
  return { ok: true, value, warnings: [...warnings] };
}

export function fail(errors: readonly PolicyError[], warnings: readonly PolicyError[] = []): Failure {
  return { ok: false, errors: [...errors], warnings: [...warnings] };
}

/** `ok(value)` when there are no errors, else `fail(errors)`: for stages that collect problems as they go. */
export function resultOf<T>(value: T, errors: readonly PolicyError[], warnings: readonly PolicyError[] = []): Result<T> {
  return errors.length > 0 ? fail(errors, warnings) : ok(value, warnings);
}

/** The errors of a result (none when it worked). */
export function errorsOf(result: Result<unknown>): PolicyError[] {
  return result.ok ? [] : result.errors;
}

/** A failure's errors as one sentence for people (`AppArmor is not enabled in this kernel; ...`). */
export function failureMessage(failure: Failure): string {
  return failure.errors.map((error) => error.message).join('; ');
}
