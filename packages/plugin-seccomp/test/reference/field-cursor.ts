// A single left-to-right pass over an audit record's `key=value` pairs, with no regular expressions: audit logs
// arrive by the million, and values (exe paths, comm) are attacker-chosen text.

import { SPACE, QUOTE, EQUALS, OPEN_PAREN, CLOSE_PAREN, CARET, CLOSE_BRACKET, isBlank } from './audit-bytes.js';

const isUpperKeyChar = (c: number): boolean => (c >= 0x41 && c <= 0x5a) || c === 0x5f;

/**
 * Walks the fields of `line` from `start`. After `next()` returns true the key lies in `line[keyStart, keyEnd)` and
 * the value in `line[valueStart, valueEnd)`, without its quotes when `quoted`. Nothing is sliced: the caller slices
 * what it keeps. One cursor is reused for every line.
 *
 * - Words without `=` are skipped; `^]` (the ENRICHED separator as some tools print it) is a blank.
 * - A bare value that runs into an upper-case `KEY=` (`code=0x7ffc0000AUID="unset"`, the separator lost in a copy)
 *   ends where that key begins. The kernel prints numbers in decimal or lower-case hex, so the cut is unambiguous.
 * - A label (`subj=`, `subj_*=`) keeps a following `(mode)` word: AppArmor prints `subj=profile (enforce)`.
 */
export class FieldCursor {
  line = '';
  position = 0;
  keyStart = 0;
  keyEnd = 0;
  valueStart = 0;
  valueEnd = 0;
  quoted = false;

  reset(line: string, start: number): void {
    this.line = line;
    this.position = start;
  }

  next(): boolean {
    const line = this.line;
    const end = line.length;
    let i = this.position;
    for (;;) {
      while (i < end) {
        const c = line.charCodeAt(i);
        if (isBlank(c)) i++;
        else if (c === CARET && line.charCodeAt(i + 1) === CLOSE_BRACKET) i += 2;
        else break;
      }
      if (i >= end) {
        this.position = end;
        return false;
      }
      const keyStart = i;
      let c = line.charCodeAt(i);
      while (c !== EQUALS && !isBlank(c) && i < end) c = line.charCodeAt(++i);
      if (i >= end) {
        this.position = end;
        return false;
      }
      if (c !== EQUALS || i === keyStart) {
        // A word without `=` (or a stray `=`): skip it.
        while (i < end && !isBlank(line.charCodeAt(i))) i++;
        continue;
      }
      this.keyStart = keyStart;
      this.keyEnd = i;
      const label = line.startsWith('subj', keyStart);
      i++;
      if (line.charCodeAt(i) === QUOTE) {
        const close = line.indexOf('"', i + 1);
        const valueEnd = close < 0 ? end : close;
        this.valueStart = i + 1;
        this.valueEnd = valueEnd;
        this.quoted = true;
        this.position = valueEnd + 1;
        return true;
      }
      this.quoted = false;
      this.valueStart = i;
      if (label && line.charCodeAt(i) === EQUALS) i++;
      for (;;) {
        if (i >= end) break;
        c = line.charCodeAt(i);
        if (isBlank(c) || c === EQUALS || (c === CARET && line.charCodeAt(i + 1) === CLOSE_BRACKET)) break;
        i++;
      }
      if (i < end && c === EQUALS) {
        // An enriched KEY= glued to this value: give the upper-case key back.
        let k = i;
        while (k > this.valueStart && isUpperKeyChar(line.charCodeAt(k - 1))) k--;
        this.valueEnd = k;
        this.position = k;
        return true;
      }
      if (label) i = this.labelEnd(i);
      this.valueEnd = i;
      this.position = i;
      return true;
    }
  }

  /** Extends a label over the ` (enforce)`-like words that follow it. */
  private labelEnd(from: number): number {
    const line = this.line;
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
}
