// The fields of a seccomp record (kernel/auditsc.c audit_seccomp() and audit_log_task()), and the two of auditd's
// ENRICHED suffix we read. Keys are recognised in place, by length and first character, without slicing them.

export const RECORD_FIELDS = [
  'auid', 'uid', 'gid', 'ses', 'subj', 'pid', 'comm', 'exe', 'sig', 'arch', 'syscall', 'compat', 'ip', 'code',
  // ENRICHED: the names auditd resolved.
  'ARCH', 'SYSCALL',
] as const;
export type RecordField = (typeof RECORD_FIELDS)[number];

const LONGEST = Math.max(...RECORD_FIELDS.map((name) => name.length));
/** (length, first character) → the fields of that shape: an array index, cheaper than hashing a key. */
const shape = (length: number, first: number): number => length * 128 + (first & 0x7f);

const BY_SHAPE: readonly (readonly RecordField[] | undefined)[] = RECORD_FIELDS.reduce<RecordField[][]>((table, name) => {
  (table[shape(name.length, name.charCodeAt(0))] ??= []).push(name);
  return table;
}, Array.from({ length: shape(LONGEST + 1, 0) }));

/** The record field named by `line[start, end)`, or undefined for a key we do not read. */
export function recordFieldAt(line: string, start: number, end: number): RecordField | undefined {
  const length = end - start;
  if (length > LONGEST) return undefined;
  const candidates = BY_SHAPE[shape(length, line.charCodeAt(start))];
  if (candidates === undefined) return undefined;
  for (const name of candidates) if (line.startsWith(name, start)) return name;
  return undefined;
}
