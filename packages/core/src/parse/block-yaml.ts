/**
 * A reader for the plain block YAML that `formatModel` writes (the `yaml` library's `stringify` of JSON-shaped data:
 * one document, block mappings and sequences indented by spaces, `[]` / `{}` for empty ones, one-line plain, single-
 * or double-quoted scalars). It gives the value `parseYamlStream` would give (`toJS` with the core schema), or undefined
 * for anything it does not recognise with certainty — another layout, comments, flow collections, anchors, tags,
 * block or multi-line scalars, tabs, control characters, odd keys — so the caller falls back to the full parser, its
 * positions and its errors. It exists because the full parser spends seconds on a
 * megabyte-sized model (docs/modeling.md); `test/block-yaml.test.ts` proves both agree.
 */
export function readBlockYaml(text: string): { value: unknown } | undefined {
  if (UNSAFE_CHARACTERS.test(text) || LONE_SURROGATE.test(text)) return undefined;
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  if (lines.length === 0) return undefined;
  const reader = new Reader(lines);
  try {
    if (reader.indentAt(0) !== 0) return undefined;
    const value = reader.block(0);
    return reader.done() ? { value } : undefined;
  } catch (error) {
    if (error === NOT_RECOGNISED) return undefined;
    throw error;
  }
}

/** Thrown inside the reader to give up; never escapes `readBlockYaml`. */
const NOT_RECOGNISED: unique symbol = Symbol('not recognised');

// Tabs, carriage returns, other C0/C1 controls, Unicode line separators, BOM and non-characters: the full parser decides.
// eslint-disable-next-line no-control-regex
const UNSAFE_CHARACTERS = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\ufeff\ufffe\uffff]/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** A mapping key taken as written: a plain word of the schema's kind (field names, label keys). */
const PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9_./-]*/;
/** Plain keys the core schema resolves to something else than their own text (null → '', TRUE → 'true'), or that toJS treats specially. */
const SPECIAL_KEYS = new Set(['null', 'Null', 'NULL', 'true', 'True', 'TRUE', 'false', 'False', 'FALSE', '__proto__']);

/** Characters that cannot start a plain scalar (YAML 1.2 indicators); `-`, `?`, `:` may when a non-space follows (`::1`). */
const PLAIN_START = new Set([',', '[', ']', '{', '}', '#', '&', '*', '!', '|', '>', "'", '"', '%', '@', '`', ' ']);
const PLAIN_START_BEFORE_SPACE = new Set(['-', '?', ':']);

/** An integer the core schema reads and `exactIntegers` turns into the same number (no sign, leading zero or -0). */
const SAFE_INTEGER = /^(?:0|-?[1-9][0-9]{0,14})$/;
/** The core schema's other non-string plain scalars (yaml's schema/core tests), read by the full parser. */
const OTHER_CORE_SCALARS = [
  /^(?:~|[Nn]ull|NULL)?$/,
  /^0o[0-7]+$/,
  /^[-+]?[0-9]+$/,
  /^0x[0-9a-fA-F]+$/,
  /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/,
  /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/,
  /^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/,
];
const BOOLEANS: ReadonlyMap<string, boolean> = new Map([
  ['true', true], ['True', true], ['TRUE', true],
  ['false', false], ['False', false], ['FALSE', false],
]);

class Reader {
  private position = 0;

  constructor(private readonly lines: readonly string[]) {}

  done(): boolean {
    return this.position === this.lines.length;
  }

  /** Spaces before the content of line `at`; -1 past the end. A line of spaces only is not recognised. */
  indentAt(at: number): number {
    const line = this.lines[at];
    if (line === undefined) return -1;
    let indent = 0;
    while (line.charCodeAt(indent) === 0x20) indent++;
    if (indent === line.length) throw NOT_RECOGNISED;
    return indent;
  }

  /** The collection whose first line is the current one, at `indent`. */
  block(indent: number): unknown {
    const content = this.lines[this.position]!.slice(indent);
    return isSequenceItem(content) ? this.sequence(indent) : this.mapping(indent, content);
  }

  private sequence(indent: number): unknown[] {
    const items: unknown[] = [];
    while (this.indentAt(this.position) === indent) {
      const content = this.lines[this.position]!.slice(indent);
      if (!isSequenceItem(content)) throw NOT_RECOGNISED;
      if (content === '-') {
        this.position++;
        items.push(this.nested(indent));
      } else {
        const rest = content.slice(2);
        if (rest.startsWith(' ') || isSequenceItem(rest)) throw NOT_RECOGNISED;
        if (entryKey(rest) !== undefined) {
          items.push(this.mapping(indent + 2, rest));
        } else {
          this.position++;
          items.push(flowValue(rest));
        }
      }
      this.after(indent);
    }
    return items;
  }

  /** A mapping at `indent`; its first entry is `first` (the rest of a `- ` line, or the current line). */
  private mapping(indent: number, first: string): Record<string, unknown> {
    const map: Record<string, unknown> = {};
    let content = first;
    for (;;) {
      const key = entryKey(content);
      if (key === undefined || Object.hasOwn(map, key)) throw NOT_RECOGNISED;
      const rest = content.slice(key.length + 1);
      this.position++;
      if (rest === '') {
        map[key] = this.nested(indent);
      } else {
        if (!rest.startsWith(' ') || rest.length === 1) throw NOT_RECOGNISED;
        map[key] = flowValue(rest.slice(1));
      }
      this.after(indent);
      if (this.indentAt(this.position) !== indent) return map;
      content = this.lines[this.position]!.slice(indent);
      if (isSequenceItem(content)) throw NOT_RECOGNISED;
    }
  }

  /** The block value of a `key:` or `-` line: the collection on the next lines, indented deeper. */
  private nested(parentIndent: number): unknown {
    const indent = this.indentAt(this.position);
    if (indent <= parentIndent) throw NOT_RECOGNISED;
    return this.block(indent);
  }

  /** After an entry of a collection at `indent`: nothing may follow deeper (a continuation line, a stray block). */
  private after(indent: number): void {
    if (this.indentAt(this.position) > indent) throw NOT_RECOGNISED;
  }
}

function isSequenceItem(content: string): boolean {
  return content === '-' || content.startsWith('- ');
}

/** The key of a `key: value` / `key:` entry, when it is a plain key taken as written. */
function entryKey(content: string): string | undefined {
  const key = PLAIN_KEY.exec(content)?.[0];
  if (key === undefined || SPECIAL_KEYS.has(key)) return undefined;
  const after = content.charCodeAt(key.length);
  if (after !== 0x3a) return undefined;
  const next = content.charCodeAt(key.length + 1);
  return Number.isNaN(next) || next === 0x20 ? key : undefined;
}

/** A value on the line of its key or dash: `[]`, `{}` or a scalar. */
function flowValue(text: string): unknown {
  if (text === '[]') return [];
  if (text === '{}') return {};
  const first = text[0];
  if (first === '"') return doubleQuoted(text);
  if (first === "'") return singleQuoted(text);
  return plain(text);
}

function doubleQuoted(text: string): string {
  let value = '';
  let start = 1;
  for (let i = 1; i < text.length; i++) {
    const char = text[i];
    if (char === '"') {
      if (i !== text.length - 1) throw NOT_RECOGNISED;
      return value + text.slice(start, i);
    }
    if (char === '\\') {
      const escape = text[i + 1] ?? '';
      const simple = ESCAPES.get(escape);
      const digits = HEX_ESCAPES.get(escape);
      value += text.slice(start, i);
      if (simple !== undefined) {
        value += simple;
        i += 1;
      } else if (digits !== undefined) {
        const hex = text.slice(i + 2, i + 2 + digits);
        const code = hex.length === digits && /^[0-9a-fA-F]+$/.test(hex) ? Number.parseInt(hex, 16) : -1;
        // Surrogates and code points past Unicode: the full parser's business.
        if (code < 0 || (code >= 0xd800 && code <= 0xdfff) || code > 0x10ffff) throw NOT_RECOGNISED;
        value += String.fromCodePoint(code);
        i += 1 + digits;
      } else {
        throw NOT_RECOGNISED;
      }
      start = i + 1;
    }
  }
  throw NOT_RECOGNISED;
}

/** YAML 1.2's one-character escapes in double-quoted scalars (§5.7); `\` + line break (folding) is not one. */
const ESCAPES: ReadonlyMap<string, string> = new Map([
  ['0', '\0'], ['a', '\x07'], ['b', '\b'], ['t', '\t'], ['n', '\n'], ['v', '\v'], ['f', '\f'], ['r', '\r'], ['e', '\x1b'],
  [' ', ' '], ['"', '"'], ['/', '/'], ['\\', '\\'], ['N', '\u0085'], ['_', '\u00a0'], ['L', '\u2028'], ['P', '\u2029'],
]);
const HEX_ESCAPES: ReadonlyMap<string, number> = new Map([['x', 2], ['u', 4], ['U', 8]]);

function singleQuoted(text: string): string {
  let value = '';
  let start = 1;
  for (let i = 1; i < text.length; i++) {
    if (text[i] !== "'") continue;
    if (text[i + 1] === "'") {
      value += text.slice(start, i + 1);
      i++;
      start = i + 1;
      continue;
    }
    if (i !== text.length - 1) throw NOT_RECOGNISED;
    return value + text.slice(start, i);
  }
  throw NOT_RECOGNISED;
}

function plain(text: string): unknown {
  if (SAFE_INTEGER.test(text)) return Number(text);
  const first = text[0]!;
  if (PLAIN_START.has(first) || (PLAIN_START_BEFORE_SPACE.has(first) && (text.length === 1 || text[1] === ' ')) || text.endsWith(' ') || text.endsWith(':') || text.includes(' #') || text.includes(': ')) {
    throw NOT_RECOGNISED;
  }
  const boolean = BOOLEANS.get(text);
  if (boolean !== undefined) return boolean;
  if (OTHER_CORE_SCALARS.some((test) => test.test(text))) throw NOT_RECOGNISED;
  return text;
}
