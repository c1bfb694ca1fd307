// JSON text written straight into a byte buffer, byte for byte what `Buffer.from(JSON.stringify(value))` holds: the
// event sinks write hundreds of thousands of lines from one log, and JSON.stringify's string per line, its UTF-8
// encoding and its garbage cost more than the walk below (bench/audit.mjs; exactness: test/json-bytes.test.ts).

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
const COMMA = 0x2c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const ZERO = 0x30;
/** Deeper than this, JSON.stringify writes the rest (and throws on a cycle, as it would). */
const MAX_DEPTH = 16;

/** The buffer ran out: the caller starts again with more room. */
export const NO_ROOM = -1;

/**
 * Writes the JSON text of the object `value` into `bytes` from `at`; returns where it ends, NO_ROOM when it does not
 * fit before `end`, OMITTED when JSON has none (a toJSON that gives undefined). Plain objects (Object.prototype or none, no `toJSON`) are walked here, their strings,
 * numbers, booleans and nulls written directly; strings that need escapes or are not ASCII, and every other value
 * (arrays, dates, class instances), are written as JSON.stringify writes them, so the text is always the same.
 */
export function writeJsonObject(bytes: Uint8Array, at: number, end: number, value: object): number {
  // An enumerable key on Object.prototype would show in for…in but not in JSON: leave such a world to JSON.stringify.
  for (const inherited in EMPTY) return writeUtf8(bytes, at, end, JSON.stringify(value) ?? inherited);
  if (!isPlainObject(value)) return writeStringifiedRoot(bytes, at, end, value);
  return writeObject(bytes, at, end, value as Record<string, unknown>, 0);
}

/** True when `value` is walked by writeObject (JSON.stringify would call no `toJSON` on it). */
export function isPlainObject(value: object): boolean {
  const prototype: unknown = Object.getPrototypeOf(value);
  return (prototype === Object.prototype || prototype === null) && !('toJSON' in value);
}

function writeObject(bytes: Uint8Array, at: number, end: number, object: Record<string, unknown>, depth: number): number {
  if (at >= end) return NO_ROOM;
  bytes[at++] = OPEN_BRACE;
  let first = true;
  // for…in, not Object.keys: V8 reads the values from the object's enum cache, without a keys array per object.
  // Only own keys are seen: the caller checked that nothing on Object.prototype is enumerable.
  for (const key in object) {
    const value = object[key];
    const type = typeof value;
    if (type === 'undefined' || type === 'function' || type === 'symbol') continue;
    const keyStart = at;
    if (!first) {
      if (at >= end) return NO_ROOM;
      bytes[at++] = COMMA;
    }
    at = writeString(bytes, at, end, key);
    if (at === NO_ROOM || at >= end) return NO_ROOM;
    bytes[at++] = COLON;
    at = writeValue(bytes, at, end, key, value, depth);
    if (at === NO_ROOM) return NO_ROOM;
    // A nested value JSON.stringify leaves out (its toJSON gave undefined): so is its key.
    if (at === OMITTED) {
      at = keyStart;
      continue;
    }
    first = false;
  }
  if (at >= end) return NO_ROOM;
  bytes[at++] = CLOSE_BRACE;
  return at;
}

/** What writeValue answers for a value JSON.stringify leaves out of its object. */
export const OMITTED = -2;

function writeValue(bytes: Uint8Array, at: number, end: number, key: string, value: unknown, depth: number): number {
  switch (typeof value) {
    case 'string':
      return writeString(bytes, at, end, value);
    case 'number':
      return writeNumber(bytes, at, end, value);
    case 'boolean':
      return writeAscii(bytes, at, end, value ? 'true' : 'false');
    case 'object':
      if (value === null) return writeAscii(bytes, at, end, 'null');
      if (depth < MAX_DEPTH && isPlainObject(value)) return writeObject(bytes, at, end, value as Record<string, unknown>, depth + 1);
      return writeStringified(bytes, at, end, key, value);
    default:
      // bigint: JSON.stringify throws, and so does this.
      return writeStringified(bytes, at, end, key, value);
  }
}

/** `value` as JSON.stringify writes it under `key` (toJSON is given the key). */
function writeStringified(bytes: Uint8Array, at: number, end: number, key: string, value: unknown): number {
  const text = JSON.stringify({ [key]: value });
  if (text === '{}') return OMITTED;
  return writeUtf8(bytes, at, end, text.slice(JSON.stringify(key).length + 2, -1));
}

/** A string's JSON text: ASCII without escapes byte for byte; else JSON.stringify's, in UTF-8. */
function writeString(bytes: Uint8Array, at: number, end: number, text: string): number {
  const length = text.length;
  if (at + length + 2 > end) return NO_ROOM;
  bytes[at] = QUOTE;
  const start = at + 1;
  for (let i = 0; i < length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || c > 0x7f || c === QUOTE || c === BACKSLASH) return writeUtf8(bytes, at, end, JSON.stringify(text));
    bytes[start + i] = c;
  }
  bytes[start + length] = QUOTE;
  return start + length + 1;
}

function writeNumber(bytes: Uint8Array, at: number, end: number, value: number): number {
  // Whole numbers below 2^31 digit by digit; anything else as JSON writes it (JSON's number text is String's, NaN and Infinity are null).
  if (value >= 0 && value < 0x80000000 && (value | 0) === value) {
    let digits = 1;
    for (let rest = value; rest >= 10; rest = (rest / 10) | 0) digits++;
    if (at + digits > end) return NO_ROOM;
    let rest = value;
    for (let i = at + digits - 1; i > at; i--) {
      const next = (rest / 10) | 0;
      bytes[i] = ZERO + rest - next * 10;
      rest = next;
    }
    bytes[at] = ZERO + rest;
    return at + digits;
  }
  return writeAscii(bytes, at, end, Number.isFinite(value) ? String(value) : 'null');
}

/** ASCII text as is. */
function writeAscii(bytes: Uint8Array, at: number, end: number, text: string): number {
  const length = text.length;
  if (at + length > end) return NO_ROOM;
  for (let i = 0; i < length; i++) bytes[at + i] = text.charCodeAt(i);
  return at + length;
}

const encoder = new TextEncoder();
const EMPTY = {};

/** Any text (well formed: JSON.stringify escapes lone surrogates), in UTF-8. */
function writeUtf8(bytes: Uint8Array, at: number, end: number, text: string): number {
  // At most 3 bytes per UTF-16 unit: check the room before encoding, so that nothing is cut.
  if (at + 3 * text.length > end && at + Buffer.byteLength(text) > end) return NO_ROOM;
  return at + encoder.encodeInto(text, bytes.subarray(at, end)).written;
}

/** Writes the JSON text of an object, as writeJsonObject does; NO_ROOM when it does not fit. */
export type JsonObjectWriter = (bytes: Uint8Array, at: number, end: number, value: object) => number;

/**
 * writeJsonObject for objects made the same way, over and over (the events of one decoder): `usual` has their keys
 * in their order, with the value most of them hold (`''`, `0`, `{}`); keys in `always` have none. The text of each run
 * of keys holding their usual values is made once, and written with one copy. An object with other keys, or in
 * another order, is walked as writeJsonObject walks it.
 */
export function jsonShapeWriter(usual: Readonly<Record<string, unknown>>, always: readonly string[] = []): JsonObjectWriter {
  const keys = Object.keys(usual);
  const count = keys.length;
  // Per key, how its usual value is recognised (data, not a closure per key: one call site, no megamorphic calls).
  const usualKinds = Uint8Array.from(keys, (key) => {
    const value = usual[key];
    if (always.includes(key)) return NO_USUAL;
    return typeof value === 'object' && value !== null ? USUAL_EMPTY_OBJECT : USUAL_SAME;
  });
  const usualValues = keys.map((key) => usual[key]);
  const isUsual = (i: number, value: unknown): boolean => {
    const kind = usualKinds[i];
    if (kind === USUAL_SAME) return value === usualValues[i];
    return kind === USUAL_EMPTY_OBJECT && isEmptyPlainObject(value);
  };
  const keyBytes = keys.map((key, i) => Buffer.from(`${i === 0 ? '' : ','}${JSON.stringify(key)}:`));
  // runs[i][j]: keys i to j-1 with their usual values, as one text (after a comma but for the first key).
  const runs = keys.map((_, i) =>
    Array.from({ length: count + 1 }, (__, j) => {
      if (j <= i) return new Uint8Array(0);
      const text = JSON.stringify(Object.fromEntries(keys.slice(i, j).map((key) => [key, usual[key]]))).slice(1, -1);
      return Buffer.from(i === 0 ? text : `,${text}`);
    }),
  );
  const values = new Array<unknown>(count);
  return (bytes, at, end, object) => {
    for (const inherited in EMPTY) return writeUtf8(bytes, at, end, JSON.stringify(object) ?? inherited);
    if (!isPlainObject(object)) return writeStringifiedRoot(bytes, at, end, object);
    let seen = 0;
    for (const key in object) {
      if (seen === count || key !== keys[seen]) return writeObject(bytes, at, end, object as Record<string, unknown>, 0);
      values[seen++] = (object as Record<string, unknown>)[key];
    }
    if (seen !== count) return writeObject(bytes, at, end, object as Record<string, unknown>, 0);
    if (at >= end) return NO_ROOM;
    const start = at;
    bytes[at++] = OPEN_BRACE;
    for (let i = 0; i < count; ) {
      let j = i;
      while (j < count && isUsual(j, values[j])) j++;
      if (j > i) {
        const run = (runs[i] as Uint8Array[])[j] as Uint8Array;
        if (at + run.length > end) return NO_ROOM;
        bytes.set(run, at);
        at += run.length;
        i = j;
        continue;
      }
      const value = values[i];
      const type = typeof value;
      // A key JSON leaves out: the walk knows where the commas go.
      if (type === 'undefined' || type === 'function' || type === 'symbol') return writeObject(bytes, start, end, object as Record<string, unknown>, 0);
      const key = keyBytes[i] as Uint8Array;
      if (at + key.length > end) return NO_ROOM;
      bytes.set(key, at);
      at = writeValue(bytes, at + key.length, end, keys[i] as string, value, 0);
      if (at === NO_ROOM) return NO_ROOM;
      if (at === OMITTED) return writeObject(bytes, start, end, object as Record<string, unknown>, 0);
      i++;
    }
    if (at >= end) return NO_ROOM;
    bytes[at++] = CLOSE_BRACE;
    return at;
  };
}

const NO_USUAL = 0;
const USUAL_SAME = 1;
const USUAL_EMPTY_OBJECT = 2;

function isEmptyPlainObject(value: unknown): boolean {
  if (typeof value !== 'object' || value === null || !isPlainObject(value)) return false;
  for (const key in value) return key === undefined;
  return true;
}

/** A root value JSON.stringify writes itself (a toJSON, a class instance). */
function writeStringifiedRoot(bytes: Uint8Array, at: number, end: number, value: unknown): number {
  const text = JSON.stringify(value) as string | undefined;
  return text === undefined ? OMITTED : writeUtf8(bytes, at, end, text);
}
