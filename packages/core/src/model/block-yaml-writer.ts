import { stringify } from 'yaml';

/** The `yaml` options formatModel writes with: no anchors, no folding, fields in the order given. */
export const MODEL_YAML_OPTIONS = { aliasDuplicateObjects: false, lineWidth: 0, sortMapEntries: false } as const;

/**
 * `stringify(value, MODEL_YAML_OPTIONS)`, byte for byte, for JSON-shaped data of plain mappings, lists, strings on one
 * line, safe integers and booleans, whose keys are plain words; undefined for anything else (null, other numbers,
 * strings with line breaks, keys that need quotes, nested lists, other objects), so the caller uses the library.
 * The library builds a document tree of the whole model first, which takes most of a second for a megabyte-sized
 * model (docs/modeling.md); this writes the same lines directly. Whether a string needs quotes, and which, is the
 * library's own decision (asked once per distinct string that is not obviously plain).
 * `test/model/block-yaml-writer.test.ts` proves both give the same bytes.
 */
export function writeBlockYaml(value: unknown): string | undefined {
  if (!isPlainObject(value) || isEmptyMapping(value)) return undefined;
  const writer = new Writer();
  try {
    writer.mapping(value, '');
    return writer.text();
  } catch (error) {
    if (error === NOT_WRITTEN) return undefined;
    throw error;
  }
}

/** Thrown inside the writer to hand the value to the library; never escapes `writeBlockYaml`. */
const NOT_WRITTEN: unique symbol = Symbol('not written');

/** A key the library writes as it is: a plain word its core schema reads back as itself. */
const PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9_./-]*$/;
/** A string the library writes plain for certain: no indicator, space, colon or `#`, and not a null, boolean or number. */
const OBVIOUSLY_PLAIN = /^[A-Za-z_/][A-Za-z0-9_./+=@-]*$/;
const CORE_WORDS = new Set(['null', 'Null', 'NULL', 'true', 'True', 'TRUE', 'false', 'False', 'FALSE']);

class Writer {
  private readonly parts: string[] = [];
  private readonly scalars = new Map<string, string>();

  text(): string {
    return this.parts.join('');
  }

  /** The entries of a mapping with at least one defined value, the first after `first` (`- ` of a list item, or nothing), the others at `indent`. */
  mapping(map: Record<string, unknown>, indent: string, first = indent): void {
    let lead = first;
    for (const key of Object.keys(map)) {
      const value = map[key];
      if (value === undefined) continue;
      if (!PLAIN_KEY.test(key) || CORE_WORDS.has(key)) throw NOT_WRITTEN;
      this.parts.push(lead, key, ':');
      this.value(value, `${indent}  `);
      lead = indent;
    }
  }

  private sequence(list: readonly unknown[], indent: string): void {
    for (const item of list) {
      if (Array.isArray(item)) {
        if (item.length > 0) throw NOT_WRITTEN;
        this.parts.push(indent, '- []\n');
      } else if (isPlainObject(item)) {
        if (isEmptyMapping(item)) this.parts.push(indent, '- {}\n');
        else this.mapping(item, `${indent}  `, `${indent}- `);
      } else {
        this.parts.push(indent, '- ', this.scalar(item), '\n');
      }
    }
  }

  /** What follows `key:`, the value's lines indented by `indent`. */
  private value(value: unknown, indent: string): void {
    if (Array.isArray(value)) {
      if (value.length === 0) this.parts.push(' []\n');
      else {
        this.parts.push('\n');
        this.sequence(value, indent);
      }
    } else if (isPlainObject(value)) {
      if (isEmptyMapping(value)) this.parts.push(' {}\n');
      else {
        this.parts.push('\n');
        this.mapping(value, indent);
      }
    } else {
      this.parts.push(' ', this.scalar(value), '\n');
    }
  }

  private scalar(value: unknown): string {
    if (typeof value === 'boolean') return value ? 'true' : 'false';
    if (typeof value === 'number') {
      if (!Number.isSafeInteger(value) || Object.is(value, -0)) throw NOT_WRITTEN;
      return String(value);
    }
    if (typeof value !== 'string') throw NOT_WRITTEN;
    if (OBVIOUSLY_PLAIN.test(value) && !CORE_WORDS.has(value)) return value;
    let written = this.scalars.get(value);
    if (written === undefined) {
      // Asked as a mapping's value (at the top, `---` would be a block): a one-line string is written the same
      // wherever it is a block value, in a mapping or a list; a multi-line one is left to the library.
      const entry = stringify({ a: value }, MODEL_YAML_OPTIONS);
      written = entry.slice(3, -1);
      if (!entry.startsWith('a: ') || written.includes('\n')) throw NOT_WRITTEN;
      this.scalars.set(value, written);
    }
    return written;
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/** A mapping the library writes as `{}`: no entries, or only undefined ones. */
function isEmptyMapping(map: Record<string, unknown>): boolean {
  return Object.values(map).every((value) => value === undefined);
}
