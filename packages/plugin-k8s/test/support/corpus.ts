import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const REPO = new URL('../../../../', import.meta.url).pathname;

/** shared/ sits beside the checkout (CI, /work/main) or two levels up from a helper's worktree (/work/wt/NAME). */
export function sharedDirectory(): string {
  const candidates = [join(REPO, '../shared'), join(REPO, '../../shared')];
  const found = candidates.find((candidate) => existsSync(join(candidate, 'corpus')));
  if (!found) throw new Error(`shared/corpus not found at ${candidates.join(' or ')}`);
  return found;
}

/** vArmor's example policies (shared/corpus/varmor), name and text, sorted by name. */
export function varmorCorpus(): { name: string; text: string }[] {
  const directory = join(sharedDirectory(), 'corpus/varmor');
  return readdirSync(directory)
    .filter((name) => name.endsWith('.yaml'))
    .sort()
    .map((name) => ({ name, text: readFileSync(join(directory, name), 'utf8') }));
}
