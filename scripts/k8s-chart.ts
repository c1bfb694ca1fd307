// Writes deploy/helm/armorkit from the render code (pnpm exec tsx scripts/k8s-chart.ts); a test keeps them equal.
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { helmChartFiles } from '../packages/plugin-k8s/src/render/helm.js';

const chart = new URL('../deploy/helm/armorkit/', import.meta.url).pathname;
const files = helmChartFiles();
const listed = (directory: string): string[] =>
  readdirSync(directory, { withFileTypes: true }).flatMap((entry) => (entry.isDirectory() ? listed(join(directory, entry.name)) : [join(directory, entry.name)]));
mkdirSync(chart, { recursive: true });
for (const path of listed(chart)) if (!files.has(path.slice(chart.length))) rmSync(path);
for (const [path, content] of files) {
  mkdirSync(dirname(join(chart, path)), { recursive: true });
  writeFileSync(join(chart, path), content);
}
console.log(`wrote ${files.size} files to ${chart}`);
