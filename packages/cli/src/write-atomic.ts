import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';

export interface OutputFile {
  /** A plain file name (no directory, no leading dot: those are ours for temporary files). */
  name: string;
  content: string;
  mode?: number;
}

/** Why nothing was written: the path that failed and the reason, for a person. */
export interface WriteFailure {
  path: string;
  reason: string;
}

export type WriteOutcome = { ok: true; written: string[] } | { ok: false; failure: WriteFailure };

/** The file-system calls the writer makes; tests replace one to inject a failure. */
export type WriterFileSystem = Pick<
  typeof fs,
  'openSync' | 'writeSync' | 'fsyncSync' | 'closeSync' | 'renameSync' | 'linkSync' | 'unlinkSync' | 'lstatSync' | 'mkdirSync' | 'realpathSync' | 'statfsSync'
>;

const { O_WRONLY, O_CREAT, O_EXCL, O_NOFOLLOW, O_RDONLY, O_DIRECTORY } = fs.constants;

/** Kernel file systems whose "files" are not files: writing profiles there does nothing useful, or something harmful. */
const PSEUDO_FILE_SYSTEMS = new Map<number, string>([
  [0x9fa0, 'proc'],
  [0x62656572, 'sysfs'],
  [0x73636673, 'securityfs'],
  [0x64626720, 'debugfs'],
  [0x74726163, 'tracefs'],
  [0x27e0eb, 'cgroup'],
  [0x63677270, 'cgroup2'],
  [0xcafe4a11, 'bpf'],
]);
const PSEUDO_ROOTS = ['/proc', '/sys'];
/** Random names collide only when someone planted a file there; a few tries, then give up (never loop). */
const NAME_ATTEMPTS = 8;

class WriteError extends Error {
  constructor(readonly failure: WriteFailure) {
    super(`${failure.path}: ${failure.reason}`);
  }
}

function reasonOf(error: unknown): string {
  const { code, message } = error as NodeJS.ErrnoException;
  if (code === 'EISDIR') return 'a directory is in the way';
  // Node's "EACCES: permission denied, open '/x'" without the code and the call: the path is reported on its own.
  return code ? String(message).replace(/^E[A-Z]+: /, '').replace(/, \w+( '.*'( -> '.*')?)?$/, '') : String(message ?? error);
}

function attempt<T>(path: string, call: () => T): T {
  try {
    return call();
  } catch (error) {
    throw new WriteError({ path, reason: reasonOf(error) });
  }
}

function lstatOrUndefined(fileSystem: WriterFileSystem, path: string): fs.Stats | undefined {
  try {
    return fileSystem.lstatSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new WriteError({ path, reason: reasonOf(error) });
  }
}

function checkNames(files: readonly OutputFile[]): void {
  const names = new Set<string>();
  for (const file of files) {
    // Names come from policies: one plain file name each, never a path, never twice.
    if (basename(file.name) !== file.name || file.name.startsWith('.') || file.name === '' || names.has(file.name)) {
      throw new WriteError({ path: file.name, reason: 'not a plain, unique file name' });
    }
    names.add(file.name);
  }
}

/**
 * The output directory, made if missing: never a symbolic link, never on a kernel pseudo file system. Made one level
 * at a time, because `mkdirSync(..., { recursive: true })` retries forever where mkdir says ENOENT under an existing
 * parent (`/proc/self/x`).
 */
function prepareDirectory(fileSystem: WriterFileSystem, directory: string): void {
  const missing: string[] = [];
  let existing = directory;
  let stat = lstatOrUndefined(fileSystem, existing);
  while (!stat && dirname(existing) !== existing) {
    missing.unshift(existing);
    existing = dirname(existing);
    stat = lstatOrUndefined(fileSystem, existing);
  }
  if (missing.length === 0 && stat?.isSymbolicLink()) {
    throw new WriteError({ path: directory, reason: 'is a symbolic link; give the directory it points to' });
  }
  const real = join(attempt(existing, () => fileSystem.realpathSync(existing)), ...missing.map((path) => basename(path)));
  const root = PSEUDO_ROOTS.find((prefix) => real === prefix || real.startsWith(`${prefix}/`));
  if (root) throw new WriteError({ path: directory, reason: `is under ${root}, a kernel file system, not a place for files` });
  const type = PSEUDO_FILE_SYSTEMS.get(attempt(existing, () => fileSystem.statfsSync(existing)).type);
  if (type) throw new WriteError({ path: directory, reason: `is on a ${type} file system, not a place for files` });
  for (const path of missing) attempt(path, () => fileSystem.mkdirSync(path, 0o755));
  const made = lstatOrUndefined(fileSystem, directory);
  if (!made?.isDirectory()) throw new WriteError({ path: directory, reason: made?.isSymbolicLink() ? 'is a symbolic link' : 'is not a directory' });
}

/** A new file at an unpredictable name in `directory`, opened exclusively and never through a link; its path and descriptor. */
function createExclusive(fileSystem: WriterFileSystem, directory: string, suffix: string, mode: number): { path: string; fd: number } {
  for (let tries = 1; ; tries++) {
    const path = join(directory, `.armorkit-${randomBytes(12).toString('hex')}.${suffix}`);
    try {
      return { path, fd: fileSystem.openSync(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, mode) };
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if ((code !== 'EEXIST' && code !== 'ELOOP') || tries >= NAME_ATTEMPTS) throw new WriteError({ path, reason: reasonOf(error) });
    }
  }
}

function writeAll(fileSystem: WriterFileSystem, path: string, fd: number, content: string): void {
  const bytes = Buffer.from(content, 'utf8');
  try {
    for (let offset = 0; offset < bytes.length; ) {
      const written = attempt(path, () => fileSystem.writeSync(fd, bytes, offset, bytes.length - offset));
      if (written <= 0) throw new WriteError({ path, reason: 'the file system accepted no bytes' });
      offset += written;
    }
    attempt(path, () => fileSystem.fsyncSync(fd));
  } finally {
    attempt(path, () => fileSystem.closeSync(fd));
  }
}

/** A second name for what is at `final` now, so it can be put back: a hard link, or the file itself moved aside when linking is not allowed. */
function backUp(fileSystem: WriterFileSystem, directory: string, final: string): { path: string; movedAside: boolean } {
  for (let tries = 1; ; tries++) {
    const path = join(directory, `.armorkit-${randomBytes(12).toString('hex')}.bak`);
    try {
      // link(2) does not follow a symbolic link at `final`: the link itself is what is kept.
      fileSystem.linkSync(final, path);
      return { path, movedAside: false };
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EPERM') {
        attempt(final, () => fileSystem.renameSync(final, path));
        return { path, movedAside: true };
      }
      if (code !== 'EEXIST' || tries >= NAME_ATTEMPTS) throw new WriteError({ path: final, reason: `cannot keep a copy to restore: ${reasonOf(error)}` });
    }
  }
}

interface Entry {
  final: string;
  temp?: string;
  backup?: { path: string; movedAside: boolean };
  renamed: boolean;
}

/** Puts every entry back as it was; what could not be restored, for the error message. */
function rollBack(fileSystem: WriterFileSystem, entries: readonly Entry[]): string[] {
  const problems: string[] = [];
  const undo = (path: string, call: () => void) => {
    try {
      call();
    } catch (error) {
      problems.push(`${path}: ${reasonOf(error)}`);
    }
  };
  for (const entry of [...entries].reverse()) {
    const { temp, backup } = entry;
    if (temp && !entry.renamed) undo(temp, () => fileSystem.unlinkSync(temp));
    if (backup && (entry.renamed || backup.movedAside)) undo(entry.final, () => fileSystem.renameSync(backup.path, entry.final));
    else if (backup) undo(backup.path, () => fileSystem.unlinkSync(backup.path));
    else if (entry.renamed) undo(entry.final, () => fileSystem.unlinkSync(entry.final));
  }
  return problems;
}

/**
 * Writes every file into `directory` or none, leaving it exactly as it was on any failure. Each file is written in
 * full and synced under a random name (exclusive create, no link followed), what it replaces is kept under a second
 * name, and only then are they renamed into place; a failed rename puts back what the earlier ones replaced.
 */
export function writeFilesAtomically(
  directory: string,
  files: readonly OutputFile[],
  options: { cwd?: string; fileSystem?: WriterFileSystem } = {},
): WriteOutcome {
  const fileSystem = options.fileSystem ?? fs;
  const target = resolve(options.cwd ?? process.cwd(), directory);
  const entries: Entry[] = [];
  try {
    checkNames(files);
    prepareDirectory(fileSystem, target);
    for (const file of files) {
      const entry: Entry = { final: join(target, file.name), renamed: false };
      entries.push(entry);
      const { path, fd } = createExclusive(fileSystem, target, 'tmp', file.mode ?? 0o644);
      entry.temp = path;
      writeAll(fileSystem, path, fd, file.content);
    }
    for (const entry of entries) {
      const existing = lstatOrUndefined(fileSystem, entry.final);
      // A directory in the way is left alone: the rename fails, and everything is put back.
      if (existing && !existing.isDirectory()) entry.backup = backUp(fileSystem, target, entry.final);
    }
    for (const entry of entries) {
      const { temp, final } = entry;
      if (temp) attempt(final, () => fileSystem.renameSync(temp, final));
      entry.renamed = true;
    }
  } catch (error) {
    const failure = error instanceof WriteError ? error.failure : { path: target, reason: reasonOf(error) };
    const problems = rollBack(fileSystem, entries);
    const reason = problems.length === 0 ? failure.reason : `${failure.reason}; and could not restore ${problems.join(', ')}`;
    return { ok: false, failure: { path: failure.path, reason } };
  }
  for (const { backup } of entries) {
    try {
      if (backup) fileSystem.unlinkSync(backup.path);
    } catch {
      // The output is complete and in place; a second name of a replaced file that will not go is only clutter.
    }
  }
  syncDirectory(fileSystem, target);
  return { ok: true, written: files.map((file) => join(directory, file.name)) };
}

/** Makes the renames durable; a file system that cannot sync a directory has nothing more to do. */
function syncDirectory(fileSystem: WriterFileSystem, directory: string): void {
  try {
    const fd = fileSystem.openSync(directory, O_RDONLY | O_DIRECTORY);
    try {
      fileSystem.fsyncSync(fd);
    } finally {
      fileSystem.closeSync(fd);
    }
  } catch {
    // EINVAL on file systems without directory sync; the files are complete either way.
  }
}
