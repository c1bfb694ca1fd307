// docs/kubernetes.md carries tables printed from the code; these keep them equal, so the docs cannot drift.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { customResourceDefinitions } from '../src/crd/generate.js';
import { webhookOnlyChecksText } from '../src/crd/webhook-only.js';
import { AGENT_CAPABILITIES, AGENT_HOST_PATHS } from '../src/render/manifests.js';
import { rbacTableText } from '../src/render/rbac.js';

const DOC = readFileSync(new URL('../../../docs/kubernetes.md', import.meta.url), 'utf8');

function region(name: string): string {
  const match = new RegExp(`<!-- generated: ${name} -->\\n([\\s\\S]*?)<!-- end: ${name} -->`).exec(DOC);
  if (!match) throw new Error(`docs/kubernetes.md has no generated region ${name}`);
  return match[1]!;
}

describe('docs/kubernetes.md', () => {
  it('has the RBAC table of GRANTS', () => {
    expect(region('rbac')).toBe(rbacTableText());
  });

  it("has the CRD generator's list of checks left to the webhook", () => {
    expect(region('webhook-only')).toBe(webhookOnlyChecksText(customResourceDefinitions()));
  });

  it("names the agent's capabilities and host paths", () => {
    for (const capability of AGENT_CAPABILITIES) expect(DOC).toContain(`\`${capability}\``);
    for (const { path } of AGENT_HOST_PATHS) expect(DOC).toContain(`| \`${path}\` |`);
    expect(DOC).toContain('[kubernetes-webhooks.md](kubernetes-webhooks.md)');
  });
});
