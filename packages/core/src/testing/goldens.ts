import { AssertionError } from 'node:assert';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * A directory of reviewed golden files. Compared byte for byte; rewritten only when asked (`update`), so a missing
 * golden fails the test instead of being created unseen in CI.
 */
export class GoldenDirectory {
  readonly path: string;

  constructor(
    directory: string | URL,
    readonly update: boolean,
  ) {
    this.path = directory instanceof URL ? fileURLToPath(directory) : directory;
  }

  /** Fails unless the golden `name` holds exactly `content`; with `update`, writes it (atomically) instead. */
  check(name: string, content: string): void {
    const file = join(this.path, name);
    if (this.update) {
      mkdirSync(dirname(file), { recursive: true });
      const temporary = `${file}.${process.pid}.tmp`;
      writeFileSync(temporary, content);
      renameSync(temporary, file);
      return;
    }
    let golden: string;
    try {
      golden = readFileSync(file, 'utf8');
    } catch {
      throw new AssertionError({ message: `golden file ${file} does not exist; run the tests with UPDATE_GOLDENS=1 to write it, then review it` });
    }
    if (golden !== content) {
      throw new AssertionError({ message: `output differs from the golden file ${file} (UPDATE_GOLDENS=1 rewrites it)`, actual: content, expected: golden, operator: 'strictEqual' });
    }
  }
}
