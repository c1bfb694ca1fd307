import { describe, expect, it } from 'vitest';
import { customResourceDefinitions } from '../src/crd/generate.js';
import { armorNodeStatusSchema, storedProfileDigest } from '../src/node-status/schema.js';
import { apiServerValidator } from './support/api-server.js';
import { customResourceDefinitionProblems, openApiSchemaProblems } from '../src/crd/structural.js';
import { webhookOnlyChecksText } from '../src/crd/webhook-only.js';
import { yamlDocument } from '../src/render/yaml.js';
import { expectGolden } from './support/golden.js';

const generated = customResourceDefinitions();
const byKind = new Map(generated.map((entry) => [entry.kind, entry]));

describe('CRDs generated from the zod schemas', () => {
  it('match the reviewed golden files, byte for byte, and come out the same twice', () => {
    for (const { crd } of generated) expectGolden(`crd/${crd.metadata.name}.yaml`, yamlDocument(crd));
    expect(JSON.stringify(customResourceDefinitions())).toBe(JSON.stringify(generated));
  });

  it('lists what the OpenAPI schema cannot say, for the webhook and the docs', () => {
    expectGolden('crd/webhook-only.md', webhookOnlyChecksText(generated));
    const policy = byKind.get('VarmorPolicy')!.webhookOnly.map((check) => check.path);
    // Cross-field checks (name XOR selector, mode needs its section), value checks, quantities and the profile name.
    expect(policy).toEqual(expect.arrayContaining(['/', '/spec/target', '/spec/policy', '/spec/policy/enforcer', '/spec/policy/networkProxyConfig/resources/limits/*']));
  });

  it('pass every check the API server makes on a CRD (structural schema, names, versions, columns)', () => {
    for (const { crd } of generated) expect(customResourceDefinitionProblems(crd), crd.metadata.name).toEqual([]);
  });

  it('carry vArmor names, scopes, short names, printer columns and the status subresource', () => {
    const summary = generated.map(({ crd }) => ({
      name: crd.metadata.name,
      scope: crd.spec.scope,
      shortNames: crd.spec.names.shortNames ?? [],
      columns: crd.spec.versions[0]!.additionalPrinterColumns.map((column) => column.name).join(' '),
      version: `${crd.spec.versions[0]!.name} served=${crd.spec.versions[0]!.served} storage=${crd.spec.versions[0]!.storage}`,
      status: crd.spec.versions[0]!.subresources.status,
    }));
    expect(summary).toEqual([
      { name: 'varmorpolicies.crd.varmor.org', scope: 'Namespaced', shortNames: ['vpol'], columns: 'ENFORCER MODE TARGET-KIND TARGET-NAME TARGET-SELECTOR PROFILE-NAME READY STATUS AGE', version: 'v1beta1 served=true storage=true', status: {} },
      { name: 'varmorclusterpolicies.crd.varmor.org', scope: 'Cluster', shortNames: ['vcpol'], columns: 'ENFORCER MODE TARGET-KIND TARGET-NAME TARGET-SELECTOR PROFILE-NAME READY STATUS AGE', version: 'v1beta1 served=true storage=true', status: {} },
      { name: 'armorprofiles.crd.varmor.org', scope: 'Namespaced', shortNames: [], columns: 'PROFILE ENFORCER MODE DESIRED CURRENT AGE', version: 'v1beta1 served=true storage=true', status: {} },
      { name: 'armorprofilemodels.crd.varmor.org', scope: 'Namespaced', shortNames: [], columns: 'STORAGE-TYPE DESIRED COMPLETED READY AGE', version: 'v1beta1 served=true storage=true', status: {} },
      { name: 'armornodestatuses.armorkit.dev', scope: 'Cluster', shortNames: ['ans'], columns: 'ENFORCERS PROFILES FAILED HEARTBEAT AGE', version: 'v1alpha1 served=true storage=true', status: {} },
      { name: 'armormodelparts.armorkit.dev', scope: 'Namespaced', shortNames: ['amp'], columns: 'PROFILE NODE CHUNK OF FINAL AGE', version: 'v1alpha1 served=true storage=true', status: {} },
    ]);
  });

  it('have printer columns whose paths exist in their schemas', () => {
    for (const { crd } of generated) {
      const version = crd.spec.versions[0]!;
      for (const column of version.additionalPrinterColumns) {
        if (column.jsonPath === '.metadata.creationTimestamp') continue;
        // `a[?(@.x=="y")].b` and `a[*].b` step into the items of a.
        const node = column.jsonPath
          .slice(1)
          .replace(/\[(\*|\?\(@\.\w+=="\w+"\))\]/g, '.[]')
          .split('.')
          .reduce<Record<string, unknown> | undefined>(
            (schema, key) => (key === '[]' ? (schema?.items as Record<string, unknown> | undefined) : (schema?.properties as Record<string, Record<string, unknown>> | undefined)?.[key]),
            version.schema.openAPIV3Schema,
          );
        expect(node, `${crd.metadata.name} ${column.name} ${column.jsonPath}`).toBeDefined();
        // A date column reads an RFC 3339 string.
        if (column.type !== 'string') expect(node!.type, `${crd.metadata.name} ${column.name}`).toBe(column.type === 'date' ? 'string' : column.type);
      }
    }
  });

  it('state structure the API server can prune by: int-or-string for uint64, preserve-unknown-fields for quantities, metadata.name only', () => {
    const schema = byKind.get('VarmorPolicy')!.crd.spec.versions[0]!.schema.openAPIV3Schema;
    const at = (...path: string[]) => path.reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], schema);
    const policy = (...path: string[]) => at('properties', 'spec', 'properties', 'policy', 'properties', ...path);
    expect(policy('enhanceProtect', 'properties', 'syscallRawRules', 'items', 'properties', 'args', 'items', 'properties', 'value')).toEqual({ 'x-kubernetes-int-or-string': true, anyOf: [{ type: 'integer' }, { type: 'string' }], minimum: 0, pattern: '^(0|[1-9][0-9]{0,19})$' });
    expect(policy('networkProxyConfig', 'properties', 'resources', 'properties', 'limits')).toEqual({ type: 'object', additionalProperties: { 'x-kubernetes-preserve-unknown-fields': true } });
    expect(Object.keys(at('properties', 'metadata', 'properties') as object)).toEqual(['name']);
    expect(policy('modelingOptions', 'properties', 'duration')).toMatchObject({ type: 'integer', minimum: 0, exclusiveMinimum: true });
    expect(schema.required).toEqual(['spec']);
  });
});

describe('the ArmorNodeStatus CRD (armorkit.dev/v1alpha1, one object per node)', () => {
  const crd = byKind.get('ArmorNodeStatus')!.crd;
  const admit = apiServerValidator(crd.spec.versions[0]!.schema.openAPIV3Schema);
  const report = {
    apiVersion: 'armorkit.dev/v1alpha1',
    kind: 'ArmorNodeStatus',
    metadata: { name: 'node-1', resourceVersion: '7' },
    status: {
      enforcers: ['AppArmor', 'Seccomp'],
      unavailable: { BPF: 'BPF: the BPF LSM is not active (/sys/kernel/security/lsm)' },
      appliedSet: '0123456789abcdef',
      profileCount: 3,
      failed: [
        { namespace: 'demo', name: 'varmor-demo-demo-1', digest: storedProfileDigest({ spec: { profile: { name: 'varmor-demo-demo-1', enforcer: 'AppArmor', mode: 'enforce' } } }), message: 'AppArmor: apparmor_parser refused the profile', lastTransitionTime: '2026-12-02T08:00:00Z' },
      ],
      heartbeatTime: '2026-12-02T08:00:05Z',
    },
  };

  it('is cluster-scoped in armorkit.dev, with the status subresource (the agent writes status, nothing else)', () => {
    expect([crd.metadata.name, crd.spec.group, crd.spec.scope, crd.spec.names.kind, crd.spec.names.listKind]).toEqual(['armornodestatuses.armorkit.dev', 'armorkit.dev', 'Cluster', 'ArmorNodeStatus', 'ArmorNodeStatusList']);
    expect(crd.spec.versions[0]!.subresources).toEqual({ status: {} });
  });

  it('admits what the contract schema admits and refuses what it refuses', () => {
    expect(armorNodeStatusSchema.safeParse(report).success).toBe(true);
    expect(admit(report)).toEqual({ unknownFields: [], errors: [] });
    const badSet = structuredClone(report);
    badSet.status.appliedSet = '0123';
    expect(armorNodeStatusSchema.safeParse(badSet).success).toBe(false);
    expect(admit(badSet).errors.join('\n')).toContain('/status/appliedSet');
    const badCount = structuredClone(report);
    badCount.status.profileCount = -1;
    expect(armorNodeStatusSchema.safeParse(badCount).success).toBe(false);
    expect(admit(badCount).errors.join('\n')).toContain('/status/profileCount');
    const extra = structuredClone(report) as typeof report & { status: { extra?: number } };
    extra.status.extra = 1;
    expect(armorNodeStatusSchema.safeParse(extra).success).toBe(false);
    expect(admit(extra).unknownFields).toEqual(['/status/extra']);
    const badDigest = structuredClone(report);
    badDigest.status.failed[0]!.digest = 'abc';
    expect(admit(badDigest).errors.join('\n')).toContain('/status/failed/0/digest');
  });
});

describe('the structural-schema checker refuses what the API server refuses', () => {
  const root = (spec: Record<string, unknown>) => ({ type: 'object', properties: { spec } });
  const cases: [string, unknown, string][] = [
    ['$ref', root({ $ref: '#/definitions/x' }), '$ref is not supported'],
    ['definitions', { type: 'object', definitions: { x: { type: 'string' } } }, 'definitions is not supported'],
    ['a field without a type', root({ properties: { a: { type: 'string' } } }), 'properties[spec].type: must not be empty for specified object fields'],
    ['array items without a type', root({ type: 'array', items: {} }), 'items.type: must not be empty for specified array items'],
    ['an array without items', root({ type: 'array' }), 'items: must be specified'],
    ['additionalProperties: false beside properties', root({ type: 'object', properties: { a: { type: 'string' } }, additionalProperties: false }), 'additionalProperties and properties are mutual exclusive'],
    ['additionalProperties at the root', { type: 'object', additionalProperties: { type: 'string' } }, 'must not be used at the root'],
    ['type null', root({ type: 'null' }), 'type cannot be set to null'],
    ['two types', root({ type: ['string', 'integer'] }), 'unsupported value'],
    ['a type inside anyOf', root({ type: 'string', anyOf: [{ type: 'string' }, { type: 'integer' }] }), 'anyOf[0].type: must be empty to be structural'],
    ['a description inside oneOf', root({ type: 'string', oneOf: [{ description: 'x' }] }), 'oneOf[0].description: must be empty to be structural'],
    ['a nested field unknown to the structure', root({ type: 'object', properties: { a: { type: 'string' } }, anyOf: [{ properties: { b: {} } }] }), 'must have a corresponding property'],
    ['metadata beyond name', { type: 'object', properties: { metadata: { type: 'object', properties: { namespace: { type: 'string' } } } } }, 'must not specify anything other than name and generateName'],
    ['required inside metadata', { type: 'object', properties: { metadata: { type: 'object', required: ['name'], properties: { name: { type: 'string' } } } } }, 'must not specify anything other than name and generateName'],
    ['kind not a string', { type: 'object', properties: { kind: { type: 'integer' } } }, 'properties[kind].type: must be string'],
    ['uniqueItems', root({ type: 'array', items: { type: 'string' }, uniqueItems: true }), 'uniqueItems cannot be set to true'],
    ['patternProperties', root({ type: 'object', patternProperties: { x: { type: 'string' } } }), 'patternProperties is not supported'],
    ['draft 2020-12 numeric exclusiveMinimum', root({ type: 'integer', exclusiveMinimum: 0 }), 'exclusiveMinimum: must be a boolean'],
    ['a JSON Schema keyword OpenAPI has not', root({ type: 'string', const: 'x' }), 'properties[spec].const: unknown field'],
    ['int-or-string with preserve-unknown-fields', root({ 'x-kubernetes-int-or-string': true, 'x-kubernetes-preserve-unknown-fields': true }), 'must be false if x-kubernetes-int-or-string is true'],
    ['preserve-unknown-fields false', root({ type: 'object', 'x-kubernetes-preserve-unknown-fields': false }), 'must be true or undefined'],
    ['a root that is not an object', { type: 'string' }, 'must be object at the root'],
    ['an invalid pattern', root({ type: 'string', pattern: '(' }), 'must be a valid regular expression'],
  ];
  for (const [what, schema, message] of cases) {
    it(`refuses ${what}`, () => {
      const problems = openApiSchemaProblems(schema).map((problem) => `${problem.path}: ${problem.message}`);
      expect(problems.join('\n')).toContain(message);
    });
  }

  it('accepts the int-or-string forms, preserve-unknown-fields without a type and metadata.name restrictions', () => {
    const schema = {
      type: 'object',
      properties: {
        metadata: { type: 'object', properties: { name: { type: 'string', maxLength: 63 } } },
        spec: {
          type: 'object',
          properties: {
            a: { 'x-kubernetes-int-or-string': true, anyOf: [{ type: 'integer' }, { type: 'string' }] },
            b: { 'x-kubernetes-int-or-string': true, allOf: [{ anyOf: [{ type: 'integer' }, { type: 'string' }] }, { pattern: '^x' }] },
            c: { 'x-kubernetes-preserve-unknown-fields': true },
            d: { type: 'object', additionalProperties: { type: 'string' } },
            e: { type: 'string', anyOf: [{ pattern: '^a' }, { pattern: '^b' }] },
          },
        },
      },
    };
    expect(openApiSchemaProblems(schema)).toEqual([]);
  });
});
