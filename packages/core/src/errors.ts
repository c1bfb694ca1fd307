/** Where a problem is: a file, a JSON pointer into the document, and the YAML position when known. */
export interface SourceLocation {
  file: string;
  /** 0-based index of the document in a multi-document YAML stream. */
  document?: number;
  /** 1-based. */
  line?: number;
  /** 1-based. */
  column?: number;
}

/**
 * A problem with a policy, as a value. Every layer reports these instead of throwing strings;
 * `code` is stable (tests and tools match on it), `message` is for people.
 */
export interface PolicyError {
  code: string;
  /** RFC 6901 JSON pointer into the document (`/spec/policy/mode`), `` for the whole document. */
  pointer: string;
  message: string;
  location?: SourceLocation;
  /**
   * For a problem inside a text field (a raw rule, a custom profile): where in that text, 1-based. The engine turns
   * it into the YAML line:column when it can, so the printed position names the line of the rule itself.
   */
  textPosition?: { line: number; column: number };
  /** The offending value, when there is one worth echoing. */
  value?: unknown;
}

export function policyError(code: string, pointer: string, message: string, value?: unknown): PolicyError {
  return value === undefined ? { code, pointer, message } : { code, pointer, message, value };
}

/** `file:line:col: /json/pointer: message` — the one way problems are printed. */
export function formatPolicyError(error: PolicyError): string {
  const loc = error.location;
  const where = loc ? [loc.file, loc.line, loc.column].filter((part) => part !== undefined).join(':') : '<input>';
  return `${where}: ${error.pointer || '/'}: ${error.message}`;
}

/** Thrown only across API boundaries (engine → CLI); carries every problem found, never just the first. */
export class PolicyErrors extends Error {
  readonly errors: readonly PolicyError[];
  constructor(errors: readonly PolicyError[]) {
    super(errors.map(formatPolicyError).join('\n'));
    this.name = 'PolicyErrors';
    this.errors = errors;
  }
}

/** RFC 6901 pointer from path segments. */
export function toPointer(path: readonly (string | number)[]): string {
  return path.map((segment) => '/' + String(segment).replace(/~/g, '~0').replace(/\//g, '~1')).join('');
}

/** Path segments from an RFC 6901 pointer; numeric segments stay strings. */
export function fromPointer(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}
