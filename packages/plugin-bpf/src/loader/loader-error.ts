/** Why the enforcer cannot do what was asked, as a value: a stable code and a sentence a person can act on. */
export interface BpfLoaderError {
  code:
    | 'bpf-lsm-inactive'
    | 'bpf-not-privileged'
    | 'bpf-libbpf-missing'
    | 'bpf-clang-missing'
    | 'bpf-object-build-failed'
    | 'bpf-object-load-failed'
    | 'bpf-attach-failed'
    | 'bpf-pin-failed'
    | 'bpf-pinned-version-mismatch'
    | 'bpf-pinned-incomplete'
    | 'bpf-map-operation-failed'
    | 'bpf-ring-buffer-failed';
  message: string;
}

export type LoaderOutcome<T> = { ok: true; value: T } | { ok: false; error: BpfLoaderError };

export const succeed = <T>(value: T): LoaderOutcome<T> => ({ ok: true, value });
export const fail = <T = never>(code: BpfLoaderError['code'], message: string): LoaderOutcome<T> => ({ ok: false, error: { code, message } });

/** `... failed: Operation not permitted (errno 1)` from a libbpf return code or errno. */
export function errnoText(code: number): string {
  const errno = Math.abs(code);
  const names: Record<number, string> = {
    1: 'Operation not permitted',
    2: 'No such file or directory',
    7: 'Argument list too long',
    12: 'Cannot allocate memory',
    13: 'Permission denied',
    16: 'Device or resource busy',
    17: 'File exists',
    22: 'Invalid argument',
    28: 'No space left on device',
    95: 'Operation not supported',
  };
  return `${names[errno] ?? 'error'} (errno ${errno})`;
}
