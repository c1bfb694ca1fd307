import type { PolicyError } from './errors.js';

export interface Position {
  /** 1-based. */
  line: number;
  /** 1-based. */
  column: number;
}

/** One document of a YAML/JSON stream, with a way back from JSON pointers to positions in the text. */
export interface SourceDocument {
  file: string;
  /** 0-based index in a multi-document stream. */
  index: number;
  /** The plain JS value of the document (what `yaml`'s `toJS()` gives). */
  data: unknown;
  /** Position of the value at `pointer`; for a missing member, the nearest existing ancestor. */
  locate(pointer: string): Position | undefined;
  /** Position of the key of the member at `pointer` (falls back to `locate`). */
  locateKey(pointer: string): Position | undefined;
  /**
   * Position of `at` (line and column inside the string value at `pointer`) in the document, when the string is
   * written so that its lines are the document's (a `|` block, or a one-line scalar without escapes).
   */
  locateInText?(pointer: string, at: Position): Position | undefined;
  /**
   * For a document that stands for several (the policies of a combined set, `composeSources`): the member document a
   * pointer is in and the pointer inside it; undefined for a pointer above the members.
   */
  member?(pointer: string): { source: SourceDocument; pointer: string } | undefined;
}

export interface ParsedStream {
  documents: SourceDocument[];
  /** Syntax problems; each already carries its location. */
  errors: PolicyError[];
}
