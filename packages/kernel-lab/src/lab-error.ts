/**
 * A problem that stops the lab, as a value: `code` is stable (tools and tests match on it),
 * `message` says what is wrong, `remedy` what to do about it.
 */
export interface LabError {
  code: LabErrorCode;
  message: string;
  /** The file or command the problem is about, when there is one. */
  path?: string;
  remedy?: string;
}

export type LabErrorCode =
  | 'qemu-missing'
  | 'kernel-missing'
  | 'kernel-modules-missing'
  | 'busybox-missing'
  | 'decompressor-missing'
  | 'initramfs-build-failed'
  | 'qemu-failed'
  | 'guest-setup-failed'
  | 'guest-no-status'
  | 'not-in-lab';

export type LabOutcome<T> = { ok: true; value: T } | { ok: false; error: LabError };

export function labError(code: LabErrorCode, message: string, details: { path?: string; remedy?: string } = {}): LabError {
  return { code, message, ...details };
}

export function succeed<T>(value: T): LabOutcome<T> {
  return { ok: true, value };
}

export function fail<T>(error: LabError): LabOutcome<T> {
  return { ok: false, error };
}

/** `kernel-lab: <code>: message (path)\n  fix: remedy` — the one way lab problems are printed. */
export function formatLabError(error: LabError): string {
  const where = error.path ? ` (${error.path})` : '';
  const remedy = error.remedy ? `\n  fix: ${error.remedy}` : '';
  return `kernel-lab: ${error.code}: ${error.message}${where}${remedy}`;
}

/** Thrown only where a caller cannot take a value (a test setup, a CLI entry); carries the LabError. */
export class LabFailure extends Error {
  readonly error: LabError;
  constructor(error: LabError) {
    super(formatLabError(error));
    this.name = 'LabFailure';
    this.error = error;
  }
}

/** The value of an outcome, or a LabFailure carrying its error. */
export function unwrapOutcome<T>(outcome: LabOutcome<T>): T {
  if (!outcome.ok) throw new LabFailure(outcome.error);
  return outcome.value;
}
