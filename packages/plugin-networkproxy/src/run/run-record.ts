// What a run made, written before it makes anything: `/run/armorkit/runs/<id>.json` names the armorkit process
// (pid and start time, so a reused pid is not taken for it) and the names and addresses of its network. A run
// SIGKILLed before its cleanup leaves the record behind, and the next run removes what it names (reapAbandonedRuns).
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

/** Where the records and each run's private files (`<id>/`: the MITM CA of the run) live; tmpfs, gone at boot. */
export const RUNS_DIRECTORY = '/run/armorkit/runs';

export const runRecordSchema = z.strictObject({
  id: z.string().regex(/^[0-9a-f]{6,12}$/),
  pid: z.number().int().positive(),
  /** Field 22 of /proc/<pid>/stat: the pid's start time in clock ticks since boot. */
  startTime: z.string().regex(/^\d+$/),
  namespace: z.string(),
  hostDevice: z.string(),
  namespaceAddress: z.string(),
  namespaceAddress6: z.string().optional(),
});
export type RunRecord = z.infer<typeof runRecordSchema>;

/** The start time of `pid` (field 22 of /proc/<pid>/stat, after the parenthesised command name), or undefined when none runs. */
export function processStartTime(pid: number): string | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // Fields after the command name (which may hold spaces and parentheses) start at field 3.
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
}

/** This process as a record's owner. */
export function currentOwner(): Pick<RunRecord, 'pid' | 'startTime'> {
  const startTime = processStartTime(process.pid);
  if (startTime === undefined) throw new Error('/proc/self/stat is unreadable: a run cannot record its owner');
  return { pid: process.pid, startTime };
}

/** Whether the process that made the record still runs (same pid, same start time). */
export function ownerAlive(record: Pick<RunRecord, 'pid' | 'startTime'>): boolean {
  return processStartTime(record.pid) === record.startTime;
}

const recordFile = (id: string): string => join(RUNS_DIRECTORY, `${id}.json`);

/** Writes the record atomically (0600 in a directory others may traverse but not list). */
export function writeRunRecord(record: RunRecord): void {
  mkdirSync(RUNS_DIRECTORY, { recursive: true, mode: 0o711 });
  const file = recordFile(record.id);
  const temporary = `${file}.${randomBytes(4).toString('hex')}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(runRecordSchema.parse(record))}\n`, { mode: 0o600, flag: 'wx' });
  renameSync(temporary, file);
}

export function removeRunRecord(id: string): void {
  rmSync(recordFile(id), { force: true });
  rmSync(join(RUNS_DIRECTORY, id), { recursive: true, force: true });
}

/** The records present; an unreadable or malformed one is skipped (a record being written is a `.tmp` file). */
export function readRunRecords(): RunRecord[] {
  let names: string[];
  try {
    names = readdirSync(RUNS_DIRECTORY).filter((name) => /^[0-9a-f]{6,12}\.json$/.test(name)).sort();
  } catch {
    return [];
  }
  return names.flatMap((name) => {
    try {
      const parsed = runRecordSchema.safeParse(JSON.parse(readFileSync(join(RUNS_DIRECTORY, name), 'utf8')));
      return parsed.success ? [parsed.data] : [];
    } catch {
      return [];
    }
  });
}
