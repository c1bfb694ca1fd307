import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Engine } from '@armorkit/core';
import { DEFAULT_MATCH_LABELS, formatJson, mutateWorkload, policiesFromTexts, readWorkload } from '@armorkit/plugin-k8s';
import { parse } from 'yaml';

const POLICY = 'examples/policies/web-frontend-apparmor.yaml';
const DEPLOYMENT = 'examples/kubernetes/web-frontend-deployment.yaml';

/**
 * The demo's Kubernetes step, on the host before the kernel part: the JSON patch the mutating webhook returns for
 * the example Deployment (what `armorkit k8s mutate` prints), one operation a line.
 */
export function mutateDemoLines(engine: Engine, repo: string, now = new Date()): string[] {
  const read = (path: string) => readFileSync(join(repo, path), 'utf8');
  const policies = policiesFromTexts(engine, [{ name: POLICY, text: read(POLICY) }]);
  const workload = readWorkload(parse(read(DEPLOYMENT)));
  const heading = `armorkit demo: Kubernetes — the patch the mutating webhook returns for ${DEPLOYMENT} (Kubernetes 1.30; armorkit k8s mutate):`;
  if (policies.errors.length > 0 || !workload.ok) return [heading, '  the example could not be read'];
  const mutation = mutateWorkload({ engine, policies: policies.policies, workload: workload.value, kubernetesVersion: { major: 1, minor: 30 }, now, matchLabels: DEFAULT_MATCH_LABELS });
  if (!mutation.ok) return [heading, ...mutation.errors.map((error) => `  ${error.message}`)];
  const { policy, operations } = mutation.value;
  return [
    heading,
    `  matched ${policy ? `${policy.kind} ${policy.namespace}/${policy.name}, profile ${policy.profileName}` : 'no policy'}`,
    ...operations.map((operation) => `  ${operation.op.padEnd(7)} ${operation.path}  ${formatJson(operation.value)}`),
  ];
}
