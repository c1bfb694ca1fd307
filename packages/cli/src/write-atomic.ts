import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';

/**
 * Writes every file or none: all go to temporary names first, then are renamed into place.
 * A failure before the renames leaves the directory as it was.
 */
export function writeFilesAtomically(directory: string, files: readonly { name: string; content: string; mode?: number }[]): string[] {
  const names = new Set<string>();
  for (const file of files) {
    // Names come from policies: one plain file name each, never a path, never twice.
    if (basename(file.name) !== file.name || file.name.startsWith('.') || names.has(file.name)) {
      throw new Error(`refusing to write ${JSON.stringify(file.name)}: not a plain, unique file name`);
    }
    names.add(file.name);
  }
  mkdirSync(directory, { recursive: true });
  const staged: { temp: string; final: string }[] = [];
  try {
    for (const [index, file] of files.entries()) {
      const final = join(directory, file.name);
      const temp = join(directory, `.armorkit-${process.pid}-${index}.tmp`);
      writeFileSync(temp, file.content, { mode: file.mode ?? 0o644 });
      staged.push({ temp, final });
    }
  } catch (error) {
    for (const { temp } of staged) rmSync(temp, { force: true });
    throw error;
  }
  for (const { temp, final } of staged) renameSync(temp, final);
  return staged.map(({ final }) => final);
}
