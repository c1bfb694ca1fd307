// Writes deploy/helm/armorkit from the render code, and the generated regions of docs/kubernetes.md (the RBAC table,
// the checks the CRDs leave to the webhook), from packages/cli: pnpm exec tsx --conditions=source ../../scripts/k8s-chart.ts.
// Tests keep both equal to the generators.
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { customResourceDefinitions } from '../packages/plugin-k8s/src/crd/generate.js';
import { webhookOnlyChecksText } from '../packages/plugin-k8s/src/crd/webhook-only.js';
import { helmChartFiles } from '../packages/plugin-k8s/src/render/helm.js';
import { rbacTableText } from '../packages/plugin-k8s/src/render/rbac.js';

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

const doc = new URL('../docs/kubernetes.md', import.meta.url).pathname;
const regions: Record<string, string> = { rbac: rbacTableText(), 'webhook-only': webhookOnlyChecksText(customResourceDefinitions()) };
let text = readFileSync(doc, 'utf8');
for (const [name, content] of Object.entries(regions)) {
  const pattern = new RegExp(`(<!-- generated: ${name} -->\\n)[\\s\\S]*?(<!-- end: ${name} -->)`);
  if (!pattern.test(text)) throw new Error(`docs/kubernetes.md has no generated region ${name}`);
  text = text.replace(pattern, (_match, start: string, end: string) => `${start}${content}${end}`);
}
writeFileSync(doc, text);
console.log(`rewrote the generated regions ${Object.keys(regions).join(', ')} of ${doc}`);
