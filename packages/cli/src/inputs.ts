import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, isAbsolute, join, relative, resolve } from 'node:path';

export interface InputFile {
  /** Path as the user wrote it (`-` is shown as `<stdin>`). */
  name: string;
  text: string;
}

const POLICY_EXTENSIONS = new Set(['.yaml', '.yml', '.json']);

function walk(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((entry) => {
      const path = join(directory, entry.name);
      if (entry.isDirectory()) return entry.name === 'node_modules' || entry.name.startsWith('.') ? [] : walk(path);
      return POLICY_EXTENSIONS.has(extname(entry.name)) ? [path] : [];
    });
}

/** Files, directories (every .yaml/.yml/.json below, sorted) and `-` for standard input; relative to `cwd`. */
export function readInputs(paths: readonly string[], cwd = process.cwd()): { files: InputFile[]; problems: string[] } {
  const files: InputFile[] = [];
  const problems: string[] = [];
  for (const path of paths) {
    if (path === '-') {
      files.push({ name: '<stdin>', text: readFileSync(0, 'utf8') });
      continue;
    }
    let isDirectory: boolean;
    try {
      isDirectory = statSync(resolve(cwd, path)).isDirectory();
    } catch {
      problems.push(`${path}: no such file or directory`);
      continue;
    }
    for (const file of isDirectory ? walk(resolve(cwd, path)).map((f) => (isAbsolute(path) ? f : relative(cwd, f))) : [path]) {
      try {
        files.push({ name: file, text: readFileSync(resolve(cwd, file), 'utf8') });
      } catch (error) {
        problems.push(`${file}: cannot read (${(error as Error).message})`);
      }
    }
  }
  return { files, problems };
}
