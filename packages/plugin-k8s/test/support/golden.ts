import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { expect } from 'vitest';

const GOLDEN = new URL('../golden/', import.meta.url).pathname;

/** Compares with a reviewed golden file; UPDATE_GOLDENS=1 rewrites it (a missing golden fails, never appears unseen). */
export function expectGolden(name: string, content: string): void {
  const file = join(GOLDEN, name);
  if (process.env.UPDATE_GOLDENS === '1') {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, content);
    return;
  }
  let golden: string;
  try {
    golden = readFileSync(file, 'utf8');
  } catch {
    throw new Error(`golden file ${file} does not exist; run with UPDATE_GOLDENS=1 to write it, then review it`);
  }
  expect(content, `differs from ${file} (UPDATE_GOLDENS=1 rewrites it)`).toBe(golden);
}
