// deploy/helm/armorkit is generated from renderManifests (src/render/helm.ts); this keeps the checked-in chart equal
// to the generator's output and makes the checks `helm lint` makes that need no Helm binary (none is installed here,
// so the templates are not rendered by Helm in these tests: docs/kubernetes.md says so).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { helmChartFiles } from '../src/render/helm.js';
import { NAMES, renderManifests, type Manifest } from '../src/render/manifests.js';
import { defaultValues, renderValuesSchema } from '../src/render/values.js';

const CHART = new URL('../../../deploy/helm/armorkit/', import.meta.url).pathname;
const files = helmChartFiles();
const listed = (directory: string): string[] =>
  readdirSync(directory, { withFileTypes: true }).flatMap((entry) => (entry.isDirectory() ? listed(join(directory, entry.name)) : [join(directory, entry.name)]));
const template = files.get('templates/armorkit.yaml')!;
const actions = [...template.matchAll(/\{\{-?\s*(.*?)\s*-?\}\}/gs)].map((match) => match[1]!);

// The template functions the generator uses: Go template built-ins, Sprig and Helm's own.
const FUNCTIONS = new Set(['quote', 'b64enc', 'b64dec', 'sha256sum', 'toYaml', 'toJson', 'nindent', 'mul', 'int', 'eq', 'ne', 'not', 'and', 'index', 'lookup', 'list', 'printf', 'genCA', 'genSignedCert', 'nil', 'dig']);
const KEYWORDS = new Set(['if', 'range', 'else', 'end']);

describe('the Helm chart', () => {
  it('is the generator output, file for file (scripts/k8s-chart.ts rewrites it)', () => {
    const onDisk = listed(CHART).map((path) => path.slice(CHART.length)).sort();
    expect(onDisk).toEqual([...files.keys()].sort());
    for (const [path, content] of files) expect(readFileSync(join(CHART, path), 'utf8'), path).toBe(content);
  });

  it('has the Chart.yaml fields helm lint requires (apiVersion v2, name of its directory, SemVer version)', () => {
    const chart = parse(files.get('Chart.yaml')!) as Record<string, unknown>;
    expect(chart).toMatchObject({ apiVersion: 'v2', name: 'armorkit', type: 'application' });
    expect(chart.version).toMatch(/^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/);
    expect(chart.appVersion).toBe(defaultValues().image.tag);
    expect(chart.kubeVersion).toMatch(/^>=1\.\d+\.\d+-0$/);
  });

  it('has values that its values.schema.json accepts, and a schema that refuses a wrong value', () => {
    const values = parse(files.get('values.yaml')!) as Record<string, unknown>;
    const { namespace: _namespace, ...defaults } = defaultValues();
    expect(values).toEqual(defaults);
    const validate = new Ajv({ strict: false }).compile(JSON.parse(files.get('values.schema.json')!));
    expect(validate(values)).toBe(true);
    expect(validate({ ...values, webhook: { ...(values.webhook as object), timeoutSeconds: 99 } })).toBe(false);
    expect(validate({ ...values, unknown: true })).toBe(false);
    expect(validate({ ...values, namespace: 'x' })).toBe(false);
  });

  it('has balanced actions, known functions only, and every .Values path it reads exists in values.yaml', () => {
    const values = parse(files.get('values.yaml')!) as Record<string, unknown>;
    let depth = 0;
    for (const action of actions) {
      const word = /^[a-z]+/i.exec(action)?.[0] ?? '';
      if (word === 'if' || word === 'range') depth++;
      if (word === 'end') depth--;
      expect(depth, action).toBeGreaterThanOrEqual(0);
      for (const path of action.matchAll(/\.Values\.([A-Za-z.]+)/g)) {
        const value = path[1]!.split('.').reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], values);
        expect(value, `.Values.${path[1]}`).not.toBeUndefined();
      }
      const identifiers = action.replace(/"[^"]*"/g, '').replace(/\$[A-Za-z]+(\.[A-Za-z]+)?/g, '').replace(/\.[A-Za-z.]+/g, '').match(/[A-Za-z][A-Za-z0-9]*/g) ?? [];
      for (const identifier of identifiers) expect(FUNCTIONS.has(identifier) || KEYWORDS.has(identifier), `${identifier} in {{ ${action} }}`).toBe(true);
    }
    expect(depth).toBe(0);
  });

  it('templates every rendered object, with the switches as conditions and no value left literal', () => {
    const kinds = [...template.matchAll(/^kind: (\S+)$/gm)].map((match) => match[1]);
    for (const kind of ['CustomResourceDefinition', 'ServiceAccount', 'ClusterRole', 'ClusterRoleBinding', 'Secret', 'Issuer', 'Certificate', 'Deployment', 'Service', 'DaemonSet', 'ValidatingWebhookConfiguration', 'MutatingWebhookConfiguration']) {
      expect(kinds, kind).toContain(kind);
    }
    expect(kinds).not.toContain('Namespace');
    expect(actions).toEqual(expect.arrayContaining(['if .Values.agent.enabled', 'if eq .Values.certificates.source "cert-manager"', '.Release.Namespace | quote', '.Values.webhook.timeoutSeconds']));
    // Each default value is an expression, never the literal: the namespace, the port, the image.
    expect(template).not.toMatch(/namespace: armorkit$|containerPort: 3443$|image: armorkit\/armorkit/m);
    expect(template).toContain('genSignedCert');
  });

  // No Helm here: this evaluates the one range the template has as Go templates do (a map's keys sorted, else when it
  // is empty; printf, then quote's Go string syntax, which JSON shares for these characters) and compares the list
  // items it gives with the args renderManifests gives for the same values.
  it('passes the webhook and the controller one --match-label per entry of webhook.matchLabels, as the manifests do', () => {
    const range = /^( *)\{\{- range \$key, \$value := \.Values\.webhook\.matchLabels \}\}\n\1- \{\{ printf "([^"]*)" \$key \$value \| quote \}\}\n\1\{\{- else \}\}\n\1- ("[^"]*")\n\1\{\{- end \}\}$/gm;
    const blocks = [...template.matchAll(range)];
    // The webhook's and the controller's args, in the Deployment of either certificate source.
    expect(blocks).toHaveLength(4);
    const previousLines = blocks.map((block) => template.slice(0, block.index).trimEnd().split('\n').at(-1)!.trim());
    expect(previousLines).toEqual(['- --watch-policies', '- "0.0.0.0:{{ .Values.manager.controllerMetricsPort }}"', '- --watch-policies', '- "0.0.0.0:{{ .Values.manager.controllerMetricsPort }}"']);
    const evaluate = ([, indent, format, empty]: RegExpMatchArray, matchLabels: Record<string, string>): string[] => {
      const keys = Object.keys(matchLabels).sort();
      const items = keys.length === 0 ? [empty!] : keys.map((key) => JSON.stringify(format!.replace('%s', key).replace('%s', matchLabels[key]!)));
      return parse(items.map((item) => `${indent}- ${item}`).join('\n')) as string[];
    };
    for (const matchLabels of [defaultValues().webhook.matchLabels, { team: 'shop', 'armorkit.dev/protect': 'yes' }, {}]) {
      const objects = renderManifests({ values: renderValuesSchema.parse({ webhook: { matchLabels } }), target: 'helm', tls: { caCertificate: 'a', certificate: 'b', privateKey: 'c' } });
      const deployment = objects.find((object) => object.kind === 'Deployment' && object.metadata.name === NAMES.manager) as Manifest & { spec: { template: { spec: { containers: { args: string[] }[] } } } };
      const [webhook, controller] = deployment.spec.template.spec.containers.map(({ args }) => args.filter((arg) => arg.startsWith('--match-label')));
      expect(blocks.map((block) => evaluate(block, matchLabels)), JSON.stringify(matchLabels)).toEqual([webhook, controller, webhook, controller]);
    }
  });

  it('keeps KubeArmor behind kubearmor.enabled: the --kubearmor args, the KubeArmor ClusterRole, the pod webhook sent every pod', () => {
    const args = [...template.matchAll(/^( *)\{\{- if \.Values\.kubearmor\.enabled \}\}\n\1- "--kubearmor"\n\1\{\{- end \}\}$/gm)];
    // The webhook's and the controller's, in the Deployment of either certificate source, after their --match-labels.
    expect(args).toHaveLength(4);
    for (const block of args) expect(template.slice(0, block.index).trimEnd().split('\n').at(-1)!.trim()).toBe('{{- end }}');
    const role = /\{\{- if \.Values\.kubearmor\.enabled \}\}\n---\napiVersion: rbac\.authorization\.k8s\.io\/v1\nkind: ClusterRole\nmetadata:\n {2}name: armorkit-manager-kubearmor\n/;
    expect(template).toMatch(role);
    expect(template.match(/security\.kubearmor\.com/g)).toHaveLength(3);
    // Each MutatingWebhookConfiguration variant: with kubearmor, the pod webhook has no objectSelector.
    const mutating = template.split('\n---\n').filter((text) => text.includes('kind: MutatingWebhookConfiguration'));
    const podSelectors = mutating.map((text) => (text.split('name: mutatepod.varmor.org')[1] ?? '').includes('objectSelector'));
    expect(podSelectors.sort()).toEqual([false, false, true, true]);
  });
});
