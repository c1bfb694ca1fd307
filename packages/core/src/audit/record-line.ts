// Reading a record from a log line of any transport (kern.log, dmesg, journald, auditd raw or ENRICHED, audispd):
// where it starts and what its head says (record-start.ts), then its `key=value` fields, walked left to right
// without regular expressions: audit lines arrive by the million, and values (paths, comm) are attacker-chosen text.

import { CARET, CLOSE_BRACKET, CLOSE_PAREN, EQUALS, OPEN_PAREN, QUOTE, SPACE, isBlank } from './audit-bytes.js';
import type { FieldList } from './field-kinds.js';

/** How a record's fields are written, where the two kernel subsystems we read differ. */
export interface FieldGrammar {
  /**
   * A label (`subj=`, `subj_*=`) keeps the ` (mode)` words that follow it (AppArmor prints `subj=profile (enforce)`),
   * and a bare label may start with `=`.
   */
  labels: boolean;
  /**
   * When auditd's separator was lost (`code=0x7ffc0000AUID="unset"`), a bare value that runs into `KEY=` ends where
   * the key begins: `upper`, a key of upper-case letters and `_`; `upper-digits`, of upper-case letters, digits and
   * `_`, digits before its first letter belonging to the value (`ouid=1000FSUID=`).
   */
  gluedKeys: 'upper' | 'upper-digits';
  /** A word that starts with `=` is a field with an empty key (else it is skipped). */
  emptyKeys: boolean;
}

const isUpperKeyChar = (c: number): boolean => (c >= 0x41 && c <= 0x5a) || c === 0x5f;
const isUpperKeyOrDigit = (c: number): boolean => isUpperKeyChar(c) || (c >= 0x30 && c <= 0x39);

/**
 * The fields of one line, as offsets into it: nothing is sliced but what a reader asks for. One instance per reader,
 * reused for every line.
 *
 * - Words without `=` are skipped; `^]` (the ENRICHED separator as some tools print it) is a blank.
 * - A quoted value runs to its closing quote (or the end of the line).
 */
export class LineFields implements FieldList {
  count = 0;
  private line = '';
  /** Per field: key start, key end, value start, value end, quoted (1/0). */
  private offsets = new Int32Array(5 * 64);

  constructor(private readonly grammar: FieldGrammar) {}

  /** Walks `line` from `start`. */
  read(line: string, start: number): this {
    this.line = line;
    this.count = 0;
    const { labels, emptyKeys } = this.grammar;
    const digitsInKeys = this.grammar.gluedKeys === 'upper-digits';
    const end = line.length;
    let i = start;
    for (;;) {
      while (i < end) {
        const c = line.charCodeAt(i);
        if (isBlank(c)) i++;
        else if (c === CARET && line.charCodeAt(i + 1) === CLOSE_BRACKET) i += 2;
        else break;
      }
      if (i >= end) return this;
      const keyStart = i;
      let c = line.charCodeAt(i);
      while (c !== EQUALS && !isBlank(c) && i < end) c = line.charCodeAt(++i);
      if (i >= end) return this;
      if (c !== EQUALS) continue;
      if (i === keyStart && !emptyKeys) {
        // A stray `=`: skip the word.
        while (i < end && !isBlank(line.charCodeAt(i))) i++;
        continue;
      }
      const keyEnd = i;
      const label = labels && line.startsWith('subj', keyStart);
      i++;
      if (line.charCodeAt(i) === QUOTE) {
        const close = line.indexOf('"', i + 1);
        const valueEnd = close < 0 ? end : close;
        this.add(keyStart, keyEnd, i + 1, valueEnd, 1);
        i = valueEnd + 1;
        continue;
      }
      const valueStart = i;
      if (label && line.charCodeAt(i) === EQUALS) i++;
      while (i < end) {
        c = line.charCodeAt(i);
        if (isBlank(c) || c === EQUALS || (c === CARET && line.charCodeAt(i + 1) === CLOSE_BRACKET)) break;
        i++;
      }
      if (i < end && c === EQUALS) {
        // A glued KEY= ends this value: give the key back.
        let k = i;
        if (digitsInKeys) {
          while (k > valueStart && isUpperKeyOrDigit(line.charCodeAt(k - 1))) k--;
          // A key starts with a letter: digits before it belong to the value (`1000FSUID`).
          while (k < i && line.charCodeAt(k) >= 0x30 && line.charCodeAt(k) <= 0x39) k++;
        } else {
          while (k > valueStart && isUpperKeyChar(line.charCodeAt(k - 1))) k--;
        }
        this.add(keyStart, keyEnd, valueStart, k, 0);
        i = k;
        continue;
      }
      if (label) i = labelEnd(line, i);
      this.add(keyStart, keyEnd, valueStart, i, 0);
    }
  }

  key(index: number): string {
    return this.line.slice(this.offsets[5 * index] as number, this.offsets[5 * index + 1] as number);
  }

  /** True when field `index`'s key is `key` (without slicing it). */
  keyIs(index: number, key: string): boolean {
    const start = this.offsets[5 * index] as number;
    return (this.offsets[5 * index + 1] as number) - start === key.length && this.line.startsWith(key, start);
  }

  text(index: number): string {
    return this.line.slice(this.offsets[5 * index + 2] as number, this.offsets[5 * index + 3] as number);
  }

  quoted(index: number): boolean {
    return this.offsets[5 * index + 4] === 1;
  }

  decimal(): number | undefined {
    return undefined;
  }

  private add(keyStart: number, keyEnd: number, valueStart: number, valueEnd: number, quoted: number): void {
    let at = 5 * this.count;
    if (at + 5 > this.offsets.length) {
      const grown = new Int32Array(this.offsets.length * 2);
      grown.set(this.offsets);
      this.offsets = grown;
    }
    this.offsets[at++] = keyStart;
    this.offsets[at++] = keyEnd;
    this.offsets[at++] = valueStart;
    this.offsets[at++] = valueEnd;
    this.offsets[at] = quoted;
    this.count += 1;
  }
}

/** Extends a label over the ` (enforce)`-like words that follow it. */
function labelEnd(line: string, from: number): number {
  const end = line.length;
  let valueEnd = from;
  let i = from;
  while (i < end && line.charCodeAt(i) === SPACE) {
    let j = i + 1;
    if (line.charCodeAt(j) !== OPEN_PAREN) break;
    while (j < end && !isBlank(line.charCodeAt(j)) && line.charCodeAt(j) !== EQUALS) j++;
    if (line.charCodeAt(j - 1) !== CLOSE_PAREN || line.charCodeAt(j) === EQUALS) break;
    valueEnd = j;
    i = j;
  }
  return valueEnd;
}
