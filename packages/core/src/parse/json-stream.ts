import type { ParsedStream, Position, SourceDocument } from '../source.js';
import { flowDepthOffset, parseYamlStream } from './yaml-stream.js';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
/**
 * Deeper (brackets counted as the YAML reader's limit counts them) goes to the YAML reader, whose stack may run out
 * some hundreds of levels down, short of its limit of 1000: its result, whatever the stack allows, is the one given.
 * No policy nests a tenth as deep.
 */
const JSON_PATH_DEPTH = 100;

/** True when a text opens as a JSON object or array would (a YAML flow collection too: parseJsonStream sorts it out). */
export function looksLikeJson(text: string): boolean {
  return /^[ \t\n\r]*[[{]/.test(text);
}

/**
 * A stream that is one JSON text (a `.json` file, the object of an AdmissionReview), read with `JSON.parse` — or taken
 * as `value` when the caller has already parsed it, so that `JSON.parse(text)` would give it — with the same result
 * as `parseYamlStream`: the same data, the same errors at the same positions. Positions are worked out only when
 * asked (an error or a warning to locate), by the YAML reader, which reads JSON as it reads YAML; a valid policy
 * never pays for them. Whenever the YAML reader could read the text otherwise, the text goes to `parseYamlStream`:
 * not JSON, duplicate keys (refused there), an integer past 2^53 (a bigint there) or -0 (0 there), a lone CR (no
 * line break there), deep nesting (the YAML reader's limit, its stack). Never throws.
 */
export function parseJsonStream(text: string, file: string, options: { value?: unknown } = {}): ParsedStream {
  if (text.indexOf('\r') >= 0 && /\r(?!\n)/.test(text)) return parseYamlStream(text, file);
  if (flowDepthOffset(text, JSON_PATH_DEPTH) !== undefined) return parseYamlStream(text, file);
  let value: unknown;
  if ('value' in options) {
    value = options.value;
  } else {
    try {
      value = JSON.parse(text);
    } catch {
      return parseYamlStream(text, file);
    }
  }
  const keys = plainJsonKeys(value);
  if (keys === undefined || keys !== keysInText(text)) return parseYamlStream(text, file);
  // A JSON null is an empty YAML document: no document at all.
  if (value === null) return { documents: [], errors: [] };
  return { documents: [lazyDocument(text, file, value)], errors: [] };
}

/** The document, its positions from the YAML reader the first time one is asked for. */
function lazyDocument(text: string, file: string, data: unknown): SourceDocument {
  let located: SourceDocument | null | undefined;
  const positions = (): SourceDocument | null => {
    located ??= parseYamlStream(text, file).documents[0] ?? null;
    return located;
  };
  return {
    file,
    index: 0,
    data,
    locate: (pointer: string) => positions()?.locate(pointer),
    locateKey: (pointer: string) => positions()?.locateKey(pointer),
    locateInText: (pointer: string, at: Position) => positions()?.locateInText?.(pointer, at),
  };
}

/**
 * How many object members a value holds, all levels counted, when it is what JSON.parse gives and the YAML reader
 * would give the same (no -0, no integer past 2^53); undefined otherwise.
 */
function plainJsonKeys(value: unknown): number | undefined {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return 0;
    case 'number':
      return Object.is(value, -0) || (Number.isInteger(value) && !Number.isSafeInteger(value)) ? undefined : 0;
    case 'object': {
      if (value === null) return 0;
      const members: readonly unknown[] | undefined = Array.isArray(value)
        ? value
        : Object.getPrototypeOf(value) === Object.prototype
          ? Object.values(value)
          : undefined;
      if (members === undefined) return undefined;
      let keys = Array.isArray(value) ? 0 : members.length;
      for (const member of members) {
        const inner = plainJsonKeys(member);
        if (inner === undefined) return undefined;
        keys += inner;
      }
      return keys;
    }
    default:
      return undefined;
  }
}

/**
 * How many members the objects of a JSON text have, duplicates included: the colons outside strings. Fewer in the
 * parsed value means a key was repeated (JSON.parse keeps the last; the YAML reader refuses it).
 */
function keysInText(text: string): number {
  let keys = 0;
  for (let i = 0; i < text.length; i++) {
    const char = text.charCodeAt(i);
    if (char === QUOTE) {
      for (i++; i < text.length && text.charCodeAt(i) !== QUOTE; i++) if (text.charCodeAt(i) === BACKSLASH) i++;
    } else if (char === COLON) {
      keys++;
    }
  }
  return keys;
}
