import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Writes every file or none: all go to temporary names first, then are renamed into place.
 * A failure before the renames leaves the directory as it was.
 */
export function writeFilesAtomically(directory: string, files: readonly { name: string; content: string; mode?: number }[]): string[] {
  mkdirSync(directory, { recursive: true });
  const staged: { temp: string; final: string }[] = [];
  try {
    for (const file of files) {
      const final = join(directory, file.name);
      const temp = join(directory, `.${file.name}.${process.pid}.tmp`);
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
