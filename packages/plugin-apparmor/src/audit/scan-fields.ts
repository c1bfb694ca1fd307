// A single left-to-right pass over `key=value` pairs, without regular expressions: audit lines arrive by the
// million, and a backtracking pattern over attacker-influenced text (file names) is a risk as well as a cost.

const SPACE = 0x20;
const TAB = 0x09;
const QUOTE = 0x22;
const EQUALS = 0x3d;
/** auditd's ENRICHED format separates the interpreted fields with 0x1d (group separator). */
const GROUP_SEPARATOR = 0x1d;

const CARET = 0x5e;
const CLOSE_BRACKET = 0x5d;
const isBlank = (c: number) => c === SPACE || c === TAB || c === GROUP_SEPARATOR;
/** The separator as some tools print it: `^]`. */
const isPrintedSeparator = (line: string, i: number) => line.charCodeAt(i) === CARET && line.charCodeAt(i + 1) === CLOSE_BRACKET;
const isUpperKeyChar = (c: number) => (c >= 0x41 && c <= 0x5a) || c === 0x5f || (c >= 0x30 && c <= 0x39);

/**
 * Calls `field(key, value, quoted)` for each pair from `start`. Quoted values are taken up to the closing quote;
 * bare values end at a blank. When auditd's separator was lost (`ouid=1000FSUID="x"`), a bare value that runs into
 * an upper-case `KEY=` is cut there. Words without `=` are skipped.
 */
export function scanFields(line: string, start: number, field: (key: string, value: string, quoted: boolean) => void): void {
  const end = line.length;
  let i = start;
  while (i < end) {
    while (i < end && (isBlank(line.charCodeAt(i)) || isPrintedSeparator(line, i))) i += isPrintedSeparator(line, i) ? 2 : 1;
    const keyStart = i;
    while (i < end && line.charCodeAt(i) !== EQUALS && !isBlank(line.charCodeAt(i))) i++;
    if (i >= end) return;
    if (line.charCodeAt(i) !== EQUALS) continue;
    const key = line.slice(keyStart, i);
    i++;
    if (line.charCodeAt(i) === QUOTE) {
      const close = line.indexOf('"', i + 1);
      const valueEnd = close < 0 ? end : close;
      field(key, line.slice(i + 1, valueEnd), true);
      i = valueEnd + 1;
      continue;
    }
    const valueStart = i;
    while (i < end && !isBlank(line.charCodeAt(i)) && line.charCodeAt(i) !== EQUALS && !isPrintedSeparator(line, i)) i++;
    if (i < end && line.charCodeAt(i) === EQUALS) {
      // An enriched KEY= glued to the value: back up over the upper-case key.
      let k = i;
      while (k > valueStart && isUpperKeyChar(line.charCodeAt(k - 1))) k--;
      // A key starts with a letter: digits before it belong to the value (`1000FSUID`).
      while (k < i && line.charCodeAt(k) >= 0x30 && line.charCodeAt(k) <= 0x39) k++;
      field(key, line.slice(valueStart, k), false);
      i = k;
      continue;
    }
    field(key, line.slice(valueStart, i), false);
  }
}

/** AppArmor writes untrusted strings with spaces or quotes as upper-case hex (`2F746D702F61206220`). */
export function decodeHex(value: string): string | undefined {
  const length = value.length;
  if (length < 2 || length % 2 !== 0) return undefined;
  for (let i = 0; i < length; i++) {
    const c = value.charCodeAt(i);
    if (!((c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46))) return undefined;
  }
  return Buffer.from(value, 'hex').toString('utf8');
}
