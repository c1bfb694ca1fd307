import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { armorkit } from './cli-process.js';

// `armorkit k8s mutate`, the real entry point in a child process: the patches the mutating webhook would return.

const REPO = new URL('../../../', import.meta.url).pathname;
const scratch = mkdtempSync(join(tmpdir(), 'armorkit-k8s-mutate-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const write = (name: string, text: string) => {
  writeFileSync(join(scratch, name), text);
  return join(scratch, name);
};
const EXAMPLE = 'examples/kubernetes/web-frontend-deployment.yaml';
const TIME = /"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"/g;

describe('armorkit k8s mutate', { timeout: 180_000 }, () => {
  it("prints the example Deployment's patch: AppArmor by securityContext on 1.30, by annotation on 1.29", () => {
    const ga = armorkit(['k8s', 'mutate', '--policies', 'examples/policies', EXAMPLE], { cwd: REPO });
    expect(ga.stderr).toBe('Deployment shop/web-frontend: VarmorPolicy shop/web-frontend (profile varmor-shop-web-frontend): 8 operations\n');
    expect(ga.status).toBe(0);
    const operations = JSON.parse(ga.stdout) as { op: string; path: string }[];
    expect(operations.map((operation) => `${operation.op} ${operation.path}`)).toEqual([
      'add /metadata/annotations',
      'add /spec/template/metadata/annotations',
      'add /spec/template/metadata/annotations/container.apparmor.security.beta.varmor.org~1nginx',
      'add /spec/template/spec/containers/0/securityContext',
      'add /spec/template/spec/containers/0/securityContext/appArmorProfile',
      'add /spec/template/metadata/annotations/container.apparmor.security.beta.varmor.org~1log-shipper',
      'add /spec/template/spec/containers/1/securityContext/appArmorProfile',
      'add /metadata/annotations/webhook.varmor.org~1mutatedAt',
    ]);
    const old = armorkit(['k8s', 'mutate', '--policies', 'examples/policies', '--kube-version', '1.29', '--op-style', 'varmor', EXAMPLE], { cwd: REPO });
    expect(old.stdout.replace(TIME, '"T"')).toBe(
      '[{"op": "add", "path": "/metadata/annotations", "value": {}},{"op": "add", "path": "/spec/template/metadata/annotations", "value": {}},' +
        '{"op": "replace", "path": "/spec/template/metadata/annotations/container.apparmor.security.beta.kubernetes.io~1nginx", "value": "localhost/varmor-shop-web-frontend"},' +
        '{"op": "replace", "path": "/spec/template/metadata/annotations/container.apparmor.security.beta.kubernetes.io~1log-shipper", "value": "localhost/varmor-shop-web-frontend"},' +
        '{"op": "replace", "path": "/metadata/annotations/webhook.varmor.org~1mutatedAt", "value": "T"}]\n',
    );
  });

  it('--apply prints every document as stored (the others as they are); mutating that again changes nothing', () => {
    const stream = write('stream.yaml', `apiVersion: v1\nkind: Service\nmetadata: {name: web-frontend, namespace: shop}\nspec: {ports: [{port: 80}]}\n---\n${readExample()}`);
    const applied = armorkit(['k8s', 'mutate', '--policies', 'examples/policies', '--apply', stream], { cwd: REPO });
    expect(applied.status).toBe(0);
    expect(applied.stderr).toContain('document 1 (Service) is not a workload the webhook mutates; left as it is');
    const documents = parseAllDocuments(applied.stdout).map((document) => document.toJS());
    expect(documents[0]).toEqual({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'web-frontend', namespace: 'shop' }, spec: { ports: [{ port: 80 }] } });
    expect(documents[1].spec.template.spec.containers[0].securityContext).toEqual({ appArmorProfile: { type: 'Localhost', localhostProfile: 'varmor-shop-web-frontend' } });
    expect(typeof documents[1].metadata.annotations['webhook.varmor.org/mutatedAt']).toBe('string');
    const again = armorkit(['k8s', 'mutate', '--policies', 'examples/policies', '-'], { cwd: REPO, input: applied.stdout });
    expect(again.stdout).toBe('[]\n');
    expect(again.stderr).toContain('Deployment shop/web-frontend: VarmorPolicy shop/web-frontend (profile varmor-shop-web-frontend): nothing to change');
  });

  it('the match label: an unlabelled workload is not mutated unless --match-label is empty', () => {
    const unlabelled = write('unlabelled.yaml', readExample().replace('    sandbox.varmor.org/enable: "true"\n', ''));
    const skipped = armorkit(['k8s', 'mutate', '--policies', 'examples/policies', unlabelled], { cwd: REPO });
    expect(skipped).toMatchObject({ status: 0, stdout: '[]\n' });
    expect(skipped.stderr).toContain('no policy matches (or it lacks the labels sandbox.varmor.org/enable=true)');
    const any = armorkit(['k8s', 'mutate', '--policies', 'examples/policies', '--match-label', '', unlabelled], { cwd: REPO });
    expect(JSON.parse(any.stdout)).toHaveLength(8);
    // The chart's form: --match-label= for an empty webhook.matchLabels, --match-label=key=value for each entry.
    expect(JSON.parse(armorkit(['k8s', 'mutate', '--policies', 'examples/policies', '--match-label=', unlabelled], { cwd: REPO }).stdout)).toHaveLength(8);
    expect(JSON.parse(armorkit(['k8s', 'mutate', '--policies', 'examples/policies', '--match-label=app=web-frontend', unlabelled], { cwd: REPO }).stdout)).toHaveLength(8);
  });

  it('--match-label repeated: the workload needs every label, and a key given two values is refused', () => {
    const labels = (...values: string[]) => values.flatMap((value) => ['--match-label', value]);
    const teamShop = write('team-shop.yaml', readExample().replace('    sandbox.varmor.org/enable: "true"\n', '    sandbox.varmor.org/enable: "true"\n    team: shop\n'));
    const both = labels('team=shop', 'sandbox.varmor.org/enable=true');
    expect(JSON.parse(armorkit(['k8s', 'mutate', '--policies', 'examples/policies', ...both, teamShop], { cwd: REPO }).stdout)).toHaveLength(8);
    const lacking = armorkit(['k8s', 'mutate', '--policies', 'examples/policies', ...both, EXAMPLE], { cwd: REPO });
    expect(lacking).toMatchObject({ status: 0, stdout: '[]\n' });
    expect(lacking.stderr).toContain('no policy matches (or it lacks the labels sandbox.varmor.org/enable=true,team=shop)');
    const conflict = armorkit(['k8s', 'mutate', '--policies', 'examples/policies', ...labels('team=shop', 'team=web'), EXAMPLE], { cwd: REPO });
    expect(conflict).toMatchObject({ status: 2, stderr: 'armorkit: --match-label: the match labels "team=shop" and "team=web" give the key team two values\n' });
    const emptyBeside = armorkit(['k8s', 'mutate', '--policies', 'examples/policies', ...labels('', 'team=shop'), EXAMPLE], { cwd: REPO });
    expect(emptyBeside).toMatchObject({ status: 2, stderr: 'armorkit: --match-label: an empty match label (no label needed) cannot be given with other match labels\n' });
  });

  it('bad input: the file, line:column and pointer; usage errors exit 2', () => {
    const bad = write('bad.yaml', 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\nspec:\n  containers:\n    - name: a\n      securityContext: {privileged: "yes"}\n');
    const result = armorkit(['k8s', 'mutate', '--policies', 'examples/policies', bad], { cwd: REPO });
    expect(result).toMatchObject({ status: 1, stdout: '' });
    expect(result.stderr).toBe(`${bad}:8:37: /spec/containers/0/securityContext/privileged: expected a boolean\n`);
    const syntax = armorkit(['k8s', 'mutate', '--policies', 'examples/policies', write('syntax.yaml', 'kind: Pod\nmetadata: {name: [\n')], { cwd: REPO });
    expect(syntax.status).toBe(1);
    expect(syntax.stderr).toMatch(/syntax\.yaml:\d+:\d+: /);
    const badPolicy = write('policy.yaml', 'apiVersion: crd.varmor.org/v1beta1\nkind: VarmorPolicy\nmetadata: {name: p, namespace: shop}\nspec:\n  target: {kind: Deployment}\n  policy: {enforcer: AppArmor, mode: AlwaysAllow}\n');
    const policyProblem = armorkit(['k8s', 'mutate', '--policies', badPolicy, EXAMPLE], { cwd: REPO });
    expect(policyProblem.status).toBe(1);
    expect(policyProblem.stderr).toContain(`${badPolicy}:5:11: /spec/target: target needs either name`);
    for (const [flag, value, message] of [
      ['--kube-version', '1.x', '--kube-version: "1.x" is not a Kubernetes version such as 1.30'],
      ['--match-label', 'novalue', '--match-label: the match label "novalue" is not key=value'],
      ['--op-style', 'json', '--op-style: "json" is not rfc6902 or varmor'],
    ] as const) {
      const usage = armorkit(['k8s', 'mutate', '--policies', 'examples/policies', flag, value, EXAMPLE], { cwd: REPO });
      expect(usage.status, flag).toBe(2);
      expect(usage.stderr, flag).toContain(`armorkit: ${message}`);
    }
    expect(armorkit(['k8s', 'mutate', '--policies', 'examples/policies', 'no-such.yaml'], { cwd: REPO })).toMatchObject({ status: 2, stderr: 'armorkit: no-such.yaml: cannot read the workload file\n' });
  });
});

function readExample(): string {
  return readFileSync(join(REPO, EXAMPLE), 'utf8');
}
