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
const isUpperKeyChar = (c: number) => (c >= 0x41 && c <= 0x5a) || c === 0x5f || (c >= 0x30 && c <= 0x39);

// Field names the kernel and auditd write. A key found here is returned as this constant (an internalised string), not
// as a fresh slice of the line, so the decoder's property writes and set look-ups do not hash a new string each time.
const KNOWN_KEYS = [
  'apparmor', 'operation', 'class', 'info', 'error', 'namespace', 'profile', 'label', 'name', 'name2', 'pid', 'comm',
  'exe', 'requested_mask', 'denied_mask', 'requested', 'denied', 'fsuid', 'ouid', 'capability', 'capname', 'family',
  'sock_type', 'protocol', 'addr', 'peer', 'peer_label', 'signal', 'target', 'srcname', 'fstype', 'flags', 'node',
  'FSUID', 'OUID', 'AUID', 'UID', 'GID', 'EUID', 'SUID', 'EGID', 'SGID', 'ARCH', 'SYSCALL',
];
/** Known keys by length and first character: usually one comparison finds the constant. */
const KNOWN_KEY_TABLE = new Map<number, string[]>();
for (const key of KNOWN_KEYS) {
  const slot = key.length * 128 + key.charCodeAt(0);
  KNOWN_KEY_TABLE.set(slot, [...(KNOWN_KEY_TABLE.get(slot) ?? []), key]);
}

function keyAt(line: string, start: number, end: number): string {
  const candidates = KNOWN_KEY_TABLE.get((end - start) * 128 + line.charCodeAt(start));
  if (candidates) for (const key of candidates) if (line.startsWith(key, start)) return key;
  return line.slice(start, end);
}

/**
 * Calls `field(key, value, quoted)` for each pair from `start`. Quoted values are taken up to the closing quote;
 * bare values end at a blank. When auditd's separator was lost (`ouid=1000FSUID="x"`), a bare value that runs into
 * an upper-case `KEY=` is cut there. Words without `=` are skipped.
 */
export function scanFields(line: string, start: number, field: (key: string, value: string, quoted: boolean) => void): void {
  const end = line.length;
  let i = start;
  while (i < end) {
    let c = line.charCodeAt(i);
    while (i < end && (isBlank(c) || (c === CARET && line.charCodeAt(i + 1) === CLOSE_BRACKET))) {
      i += c === CARET ? 2 : 1;
      c = line.charCodeAt(i);
    }
    const keyStart = i;
    while (i < end && c !== EQUALS && !isBlank(c)) c = line.charCodeAt(++i);
    if (i >= end) return;
    if (c !== EQUALS) continue;
    const key = keyAt(line, keyStart, i);
    i++;
    if (line.charCodeAt(i) === QUOTE) {
      const close = line.indexOf('"', i + 1);
      const valueEnd = close < 0 ? end : close;
      field(key, line.slice(i + 1, valueEnd), true);
      i = valueEnd + 1;
      continue;
    }
    const valueStart = i;
    c = line.charCodeAt(i);
    while (i < end && !isBlank(c) && c !== EQUALS && !(c === CARET && line.charCodeAt(i + 1) === CLOSE_BRACKET)) {
      c = line.charCodeAt(++i);
    }
    if (i < end && c === EQUALS) {
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
