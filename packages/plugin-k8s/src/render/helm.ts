// The Helm chart (deploy/helm/armorkit) is generated from renderManifests, so the chart and `armorkit k8s render`
// cannot drift: the objects are rendered with a marker in place of each value, in every combination of the switches
// (agent.enabled, certificates.source, kubearmor.enabled), and each marker becomes the template expression of its value. A test checks
// the files in the repository equal this output (scripts/k8s-chart.ts rewrites them).
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { VARMOR_GROUP } from '../crd/kinds.js';
import { KUBEARMOR_ARG, matchLabelArgs, NAMES, renderManifests, type Manifest } from './manifests.js';
import { defaultValues, renderValuesSchema, type RenderValues } from './values.js';
import { yamlDocument } from './yaml.js';

export const CHART_VERSION = '0.1.0';

/** One value of the chart and the expressions its forms in the objects become. */
interface Substitution {
  /** Where the marker goes in the values (dot path), or undefined for template variables (TLS). */
  path?: string;
  marker: string | number | Record<string, string>;
  /** The marker as it appears in the objects (itself, or derived: base64, hours), with the expression of each form. */
  forms: { value: string | number; expression: string }[];
  /** For map values: rendered as a YAML block (toYaml). */
  block?: string;
  /** For a map that becomes list items too (one a key): the item the marker gives, and the template lines that give the items. */
  range?: { item: string; lines: string[] };
}

const base64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

// Leaves of the values the chart exposes; namespace is the release's, the switches are handled by combination.
const LEAVES = [
  'image.repository', 'image.tag', 'image.pullPolicy',
  'webhook.validatingFailurePolicy', 'webhook.mutatingFailurePolicy', 'webhook.timeoutSeconds', 'webhook.matchLabels', 'webhook.port',
  'certificates.validityDays', 'manager.replicas', 'manager.metricsPort', 'manager.resources', 'agent.resources',
  'manager.controllerMetricsPort', 'agent.readinessPort',
] as const;

function getPath(values: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], values);
}

function setPath(values: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  const last = keys.pop()!;
  const parent = keys.reduce<Record<string, unknown>>((node, key) => node[key] as Record<string, unknown>, values);
  parent[last] = value;
}

// The containers' --match-label args from the map, as matchLabelArgs gives them: Go templates range over a map's keys
// sorted, and take the else branch for an empty one.
function matchLabelRange(marker: Record<string, string>, expression: string): Substitution['range'] {
  const [format] = matchLabelArgs({ '%s': '%s' });
  return {
    item: matchLabelArgs(marker)[0]!,
    lines: [
      `{{- range $key, $value := ${expression} }}`,
      `- {{ printf ${JSON.stringify(format)} $key $value | quote }}`,
      '{{- else }}',
      ...matchLabelArgs({}).map((arg) => `- ${JSON.stringify(arg)}`),
      '{{- end }}',
    ],
  };
}

function substitutions(): Substitution[] {
  const defaults = defaultValues();
  const list: Substitution[] = LEAVES.map((path, index) => {
    const value = getPath(defaults, path);
    const expression = `.Values.${path}`;
    if (typeof value === 'number') {
      const marker = 7_700_001 + index * 10;
      const forms = [{ value: marker, expression }];
      if (path === 'certificates.validityDays') forms.push({ value: marker * 24, expression: `mul ${expression} 24` });
      return { path, marker, forms };
    }
    if (typeof value === 'string') {
      const marker = `helmvalue${index}x`;
      return { path, marker, forms: [{ value: marker, expression }] };
    }
    const marker = { [`helmblock${index}x`]: 'x' };
    return { path, marker, forms: [], block: expression, ...(path === 'webhook.matchLabels' ? { range: matchLabelRange(marker, expression) } : {}) };
  });
  // The containers' --kubearmor (renderManifests gives it for Helm always): kept under the switch.
  list.push({ marker: KUBEARMOR_ARG, forms: [], range: { item: KUBEARMOR_ARG, lines: ['{{- if .Values.kubearmor.enabled }}', `- ${JSON.stringify(KUBEARMOR_ARG)}`, '{{- end }}'] } });
  list.push({ path: 'namespace', marker: 'helmnamespacex', forms: [{ value: 'helmnamespacex', expression: '.Release.Namespace' }] });
  for (const [name, variable] of [['helmtlscax', '$ca'], ['helmtlscrtx', '$crt'], ['helmtlskeyx', '$key']] as const) {
    const forms = [{ value: base64(name), expression: `${variable} | b64enc` }];
    if (name === 'helmtlscrtx') forms.push({ value: sha256(name), expression: `${variable} | sha256sum` });
    list.push({ marker: name, forms });
  }
  return list;
}

interface Switches {
  agent: boolean;
  certManager: boolean;
  kubearmor: boolean;
}
const COMBINATIONS: Switches[] = [false, true].flatMap((kubearmor) => [
  { agent: true, certManager: false, kubearmor },
  { agent: true, certManager: true, kubearmor },
  { agent: false, certManager: false, kubearmor },
  { agent: false, certManager: true, kubearmor },
]);
const CONDITIONS: { key: keyof Switches; expression: string }[] = [
  { key: 'certManager', expression: 'eq .Values.certificates.source "cert-manager"' },
  { key: 'agent', expression: '.Values.agent.enabled' },
  { key: 'kubearmor', expression: '.Values.kubearmor.enabled' },
];

function markedValues(list: Substitution[], switches: Switches): RenderValues {
  const values: Record<string, unknown> = structuredClone(defaultValues());
  for (const substitution of list) if (substitution.path) setPath(values, substitution.path, substitution.marker);
  setPath(values, 'agent.enabled', switches.agent);
  setPath(values, 'certificates.source', switches.certManager ? 'cert-manager' : 'generate');
  setPath(values, 'kubearmor.enabled', switches.kubearmor);
  // The markers are not valid values (that is what makes them findable); renderManifests only copies them.
  return values as RenderValues;
}

/** The objects with every marker replaced by a token; `tokens` maps each token to its template text. */
function tokenize(objects: Manifest[], list: Substitution[], tokens: Map<string, string>): Manifest[] {
  const token = (text: string): string => {
    const existing = [...tokens.entries()].find(([, value]) => value === text);
    if (existing) return existing[0];
    const name = `helmtoken${tokens.size}x`;
    tokens.set(name, text);
    return name;
  };
  const forms = list.flatMap((substitution) => substitution.forms);
  const walk = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(walk);
    if (typeof value === 'number') {
      const form = forms.find((candidate) => candidate.value === value);
      return form ? token(`{{ ${form.expression} }}`) : value;
    }
    if (typeof value === 'string') {
      const range = list.find((substitution) => substitution.range?.item === value)?.range;
      if (range) return token(`@range:${range.lines.join('\n')}`);
      const found = forms.filter((candidate) => value.includes(String(candidate.value)));
      if (found.length === 0) return value;
      const whole = found.find((candidate) => candidate.value === value);
      if (whole) return token(`{{ ${whole.expression} | quote }}`);
      // A value inside a longer string: the string becomes a quoted scalar around the expressions (the values
      // schema keeps quotes and backslashes out of them, so no escaping is needed inside).
      let text = JSON.stringify(value).slice(1, -1);
      for (const form of found) text = text.replaceAll(String(form.value), `{{ ${form.expression} }}`);
      return token(`"${text}"`);
    }
    if (typeof value === 'object' && value !== null) {
      const block = list.find((substitution) => substitution.block && JSON.stringify(substitution.marker) === JSON.stringify(value));
      if (block) return token(`@block:${block.block!}`);
      return Object.fromEntries(Object.entries(value).map(([key, member]) => [key, walk(member)]));
    }
    return value;
  };
  return objects.map((object) => walk(object) as Manifest);
}

/** YAML text of an object with its tokens turned into template expressions. */
function templateText(object: Manifest, tokens: Map<string, string>): string {
  return yamlDocument(object)
    .split('\n')
    .map((line) => {
      const match = /^(\s*)(- )?([^:]+: )?(helmtoken\d+x)$/.exec(line);
      if (!match) return line;
      const [, indent = '', dash = '', key = '', name = ''] = match;
      const text = tokens.get(name)!;
      // A list item that is a range: each line of it at the item's indentation (the actions trim what is before them).
      if (text.startsWith('@range:') && dash && !key) return text.slice('@range:'.length).split('\n').map((part) => `${indent}${part}`).join('\n');
      if (!text.startsWith('@block:')) return `${indent}${dash}${key}${text}`;
      const depth = indent.length + dash.length + 2;
      return `${indent}${dash}${key.trimEnd()} {{- toYaml ${text.slice('@block:'.length)} | nindent ${depth} }}`;
    })
    .join('\n');
}

const identity = (object: Manifest) => `${object.apiVersion}/${object.kind}/${object.metadata.name}`;

/** The identities of all combinations in one order: each new one after its predecessor in the combination that has it. */
function mergedOrder(lists: string[][]): string[] {
  const order: string[] = [];
  for (const list of lists) {
    list.forEach((id, index) => {
      if (order.includes(id)) return;
      const previous = index === 0 ? -1 : order.indexOf(list[index - 1]!);
      order.splice(previous + 1, 0, id);
    });
  }
  return order;
}

/** The text of one object over the combinations, with if/else on the switches its text depends on. */
function conditional(variants: Map<Switches, string | undefined>, conditions: typeof CONDITIONS): string {
  const texts = new Set(variants.values());
  if (texts.size === 1) {
    const [text] = texts;
    return text === undefined ? '' : `---\n${text}`;
  }
  const [condition, ...rest] = conditions;
  if (!condition) throw new TypeError('helm chart: an object differs between identical switch settings');
  // A switch the object does not depend on (same text whichever way it is set) is left out of the condition.
  const flipped = (switches: Switches) => [...variants.keys()].find((other) => other[condition.key] !== switches[condition.key] && rest.every(({ key }) => other[key] === switches[key]));
  const independent = [...variants].every(([switches, text]) => {
    const other = flipped(switches);
    return other === undefined || variants.get(other) === text;
  });
  if (independent) return conditional(new Map([...variants].filter(([switches]) => switches[condition.key])), rest);
  const part = (on: boolean) => new Map([...variants].filter(([switches]) => switches[condition.key] === on));
  const yes = conditional(part(true), rest);
  const no = conditional(part(false), rest);
  const expression = condition.expression;
  if (no === '') return `{{- if ${expression} }}\n${yes}{{- end }}\n`;
  if (yes === '') return `{{- if not (${expression}) }}\n${no}{{- end }}\n`;
  return `{{- if ${expression} }}\n${yes}{{- else }}\n${no}{{- end }}\n`;
}

// Helm has no place to keep generated certificates but the Secret itself: reuse it when it exists (upgrades keep the
// CA the API server trusts), else make a CA and a serving certificate for the Service's names with genCA/genSignedCert.
function tlsPrelude(): string {
  const service = NAMES.webhookService;
  return [
    '{{- $ca := "" }}',
    '{{- $crt := "" }}',
    '{{- $key := "" }}',
    '{{- if ne .Values.certificates.source "cert-manager" }}',
    `{{- $existing := lookup "v1" "Secret" .Release.Namespace "${NAMES.tlsSecret}" }}`,
    '{{- if and (dig "data" "ca.crt" "" $existing) (dig "data" "tls.crt" "" $existing) (dig "data" "tls.key" "" $existing) }}',
    '{{- $ca = dig "data" "ca.crt" "" $existing | b64dec }}',
    '{{- $crt = dig "data" "tls.crt" "" $existing | b64dec }}',
    '{{- $key = dig "data" "tls.key" "" $existing | b64dec }}',
    '{{- else }}',
    `{{- $service := "${service}" }}`,
    '{{- $names := list $service (printf "%s.%s" $service .Release.Namespace) (printf "%s.%s.svc" $service .Release.Namespace) (printf "%s.%s.svc.cluster.local" $service .Release.Namespace) }}',
    '{{- $generatedCa := genCA "armorkit-webhook-ca" (int .Values.certificates.validityDays) }}',
    '{{- $serving := genSignedCert (printf "%s.%s.svc" $service .Release.Namespace) nil $names (int .Values.certificates.validityDays) $generatedCa }}',
    '{{- $ca = $generatedCa.Cert }}',
    '{{- $crt = $serving.Cert }}',
    '{{- $key = $serving.Key }}',
    '{{- end }}',
    '{{- end }}',
    '',
  ].join('\n');
}

/** templates/armorkit.yaml: every object renderManifests makes, with the chart's values in place. */
export function chartTemplate(): string {
  const list = substitutions();
  const tokens = new Map<string, string>();
  const tls = { caCertificate: 'helmtlscax', certificate: 'helmtlscrtx', privateKey: 'helmtlskeyx' };
  const rendered = COMBINATIONS.map((switches) => {
    const objects = tokenize(renderManifests({ values: markedValues(list, switches), ...(switches.certManager ? {} : { tls }), target: 'helm' }), list, tokens);
    return { switches, objects: new Map(objects.map((object) => [identity(object), templateText(object, tokens)])) };
  });
  const order = mergedOrder(rendered.map(({ objects }) => [...objects.keys()]));
  const body = order.map((id) => conditional(new Map(rendered.map(({ switches, objects }) => [switches, objects.get(id)])), CONDITIONS)).join('');
  const leftover = /helm(value|block|namespace|tls|token)\d*x|770\d{4}/.exec(body);
  if (leftover) throw new TypeError(`helm chart: the marker ${leftover[0]} was not turned into an expression`);
  const header = '# Generated from @armorkit/plugin-k8s renderManifests (scripts/k8s-chart.ts); edit the render code, not this file.\n';
  return header + tlsPrelude() + body;
}

const chartValuesSchema = renderValuesSchema.omit({ namespace: true });

/** values.yaml: the defaults of renderValuesSchema (the namespace is the release's). */
export function chartValues(): string {
  const { namespace: _namespace, ...values } = defaultValues();
  return `# armorkit chart values; the same keys as \`armorkit k8s render --values\` (without namespace: the release's is used).\n${yamlDocument(values)}`;
}

/** values.schema.json: Helm checks the values against it before rendering (JSON Schema draft-07, from the zod schema). */
export function chartValuesJsonSchema(): string {
  const schema = z.toJSONSchema(chartValuesSchema, { target: 'draft-7', io: 'input' });
  // Helm may pass `global` to any chart (a parent chart's globals); it is not ours to refuse.
  const properties = { ...(schema.properties as Record<string, unknown>), global: { type: 'object' } };
  return `${JSON.stringify({ ...schema, properties }, null, 2)}\n`;
}

function chartYaml(): string {
  return yamlDocument({
    apiVersion: 'v2',
    name: 'armorkit',
    description: 'armorkit on Kubernetes: vArmor policies (crd.varmor.org) validated and applied by admission webhooks',
    type: 'application',
    version: CHART_VERSION,
    appVersion: defaultValues().image.tag,
    kubeVersion: '>=1.21.0-0',
    keywords: ['apparmor', 'seccomp', 'bpf', 'varmor', 'sandbox'],
    annotations: { 'armorkit.dev/generated-by': 'scripts/k8s-chart.ts' },
  });
}

const NOTES = `armorkit {{ .Chart.AppVersion }} is installed in {{ .Release.Namespace }}.

  kubectl -n {{ .Release.Namespace }} get deployment ${NAMES.manager}
  kubectl get crd | grep ${VARMOR_GROUP}

Workloads are mutated when they carry the labels of webhook.matchLabels ({{ toJson .Values.webhook.matchLabels }}).
See docs/kubernetes.md.
`;

/** Every file of deploy/helm/armorkit, by path inside the chart. */
export function helmChartFiles(): Map<string, string> {
  return new Map([
    ['Chart.yaml', chartYaml()],
    ['values.yaml', chartValues()],
    ['values.schema.json', chartValuesJsonSchema()],
    ['templates/armorkit.yaml', chartTemplate()],
    ['templates/NOTES.txt', NOTES],
  ]);
}
