// The differential test between the CRD schemas and armorkit's own validation: a policy armorkit's parse accepts must
// pass the API server's schema checks, and one the API server refuses must be refused by armorkit too. (Parse is the
// schema stage of `armorkit validate`; what the later stages refuse only widens armorkit's refusals.)
import fc from 'fast-check';
import { createEngine, parseYamlStream, varmorDialect } from '@armorkit/core';
import { describe, expect, it } from 'vitest';
import { customResourceDefinitions } from '../src/crd/generate.js';
import { apiServerValidator, type Admission } from './support/api-server.js';
import { varmorCorpus } from './support/corpus.js';

const engine = createEngine({ plugins: [varmorDialect()] });
const validators = new Map(
  customResourceDefinitions().map(({ kind, crd }) => [kind, apiServerValidator(crd.spec.versions[0]!.schema.openAPIV3Schema)]),
);

interface Document {
  file: string;
  index: number;
  kind: string;
  data: unknown;
}

function policyDocuments(): Document[] {
  return varmorCorpus().flatMap(({ name, text }) =>
    parseYamlStream(text, name).documents.flatMap((document) => {
      const kind = (document.data as { kind?: unknown } | null)?.kind;
      return kind === 'VarmorPolicy' || kind === 'VarmorClusterPolicy' ? [{ file: name, index: document.index, kind, data: document.data }] : [];
    }),
  );
}

const bigintSafe = (_key: string, value: unknown) => (typeof value === 'bigint' ? value.toString() : value);

/** armorkit's parse of one document (as JSON text, so the document's index is 0). */
function armorkitErrors(data: unknown): string[] {
  const outcome = engine.parse(JSON.stringify(data, bigintSafe), 'policy.json');
  if (outcome.policies.length + outcome.errors.length === 0) throw new Error('the varmor dialect did not recognise the document');
  return outcome.errors.map((error) => `${error.pointer}: ${error.message}`);
}

function apiServer(kind: string, data: unknown): Admission {
  return validators.get(kind as 'VarmorPolicy')!(data);
}
const refused = (admission: Admission) => admission.errors.length + admission.unknownFields.length > 0;

describe('vArmor corpus against the generated CRDs', () => {
  const documents = policyDocuments();

  it('finds the corpus policies', () => {
    expect(documents.length).toBeGreaterThanOrEqual(40);
  });

  it('every policy armorkit accepts passes the CRD schema (strict field validation, after pruning)', () => {
    const mismatches: string[] = [];
    let accepted = 0;
    for (const document of documents) {
      if (armorkitErrors(document.data).length > 0) continue;
      accepted++;
      const admission = apiServer(document.kind, document.data);
      if (refused(admission)) mismatches.push(`${document.file}#${document.index}: ${[...admission.unknownFields.map((f) => `unknown field ${f}`), ...admission.errors].join('; ')}`);
    }
    expect(mismatches).toEqual([]);
    expect(accepted).toBeGreaterThan(0);
  });

  it('every policy the CRD schema refuses is refused by armorkit too', () => {
    for (const document of documents) {
      if (!refused(apiServer(document.kind, document.data))) continue;
      expect(armorkitErrors(document.data), `${document.file}#${document.index}`).not.toEqual([]);
    }
  });

  it('drops a null optional field as unset (as the API server does before any webhook), which armorkit refuses locally', () => {
    const source = documents.find((document) => document.kind === 'VarmorPolicy')!;
    const data = structuredClone(source.data) as { spec: { updateExistingWorkloads?: unknown; target: unknown } };
    data.spec.updateExistingWorkloads = null;
    expect(refused(apiServer('VarmorPolicy', data))).toBe(false);
    expect(armorkitErrors(data).join('\n')).toMatch(/\/spec\/updateExistingWorkloads/);
    data.spec.target = null;
    expect(apiServer('VarmorPolicy', data).errors.join('\n')).toMatch(/must have required property 'target'/);
  });

  // Random damage to real policies: what the API server's schema refuses, armorkit refuses.
  it('holds for damaged corpus policies (wrong types, unknown fields, bad enums, missing members)', () => {
    const damage = fc.record({
      document: fc.nat(documents.length - 1),
      pick: fc.nat(),
      how: fc.constantFrom('wrong-type', 'unknown-field', 'bad-enum', 'delete', 'negative', 'empty-string'),
      value: fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.constant(null), fc.array(fc.string(), { maxLength: 2 })),
    });
    let refusedByApiServer = 0;
    fc.assert(
      fc.property(damage, ({ document, pick, how, value }) => {
        const source = documents[document]!;
        const data = structuredClone(source.data) as Record<string, unknown>;
        const slots = slotsOf(data.spec, ['spec']);
        const slot = slots[pick % slots.length];
        if (!slot) return;
        apply(slot, how, value);
        const admission = apiServer(source.kind, data);
        if (!refused(admission)) return;
        refusedByApiServer++;
        const errors = armorkitErrors(data);
        expect(errors, `${source.file}#${source.index} ${how} at /${slot.path.join('/')}: API server refuses (${admission.errors.join('; ')}${admission.unknownFields.join(' ')})`).not.toEqual([]);
      }),
      { numRuns: 400, seed: 1302 },
    );
    expect(refusedByApiServer).toBeGreaterThan(100);
  });
});

interface Slot {
  parent: Record<string, unknown> | unknown[];
  key: string | number;
  path: (string | number)[];
}

function slotsOf(value: unknown, path: (string | number)[]): Slot[] {
  if (Array.isArray(value)) return value.flatMap((item, index) => [{ parent: value, key: index, path: [...path, index] }, ...slotsOf(item, [...path, index])]);
  if (typeof value !== 'object' || value === null) return [];
  const record = value as Record<string, unknown>;
  return Object.keys(record).flatMap((key) => [{ parent: record, key, path: [...path, key] }, ...slotsOf(record[key], [...path, key])]);
}

function apply(slot: Slot, how: string, value: unknown): void {
  const parent = slot.parent as Record<string | number, unknown>;
  const current = parent[slot.key];
  switch (how) {
    case 'wrong-type':
      parent[slot.key] = typeof current === typeof value ? [value] : value;
      break;
    case 'unknown-field':
      if (typeof current === 'object' && current !== null && !Array.isArray(current)) (current as Record<string, unknown>).unexpectedField = value;
      else parent[slot.key] = { unexpectedField: value };
      break;
    case 'bad-enum':
      parent[slot.key] = typeof current === 'string' ? `${current}X` : 'NotAValue';
      break;
    case 'delete':
      if (Array.isArray(slot.parent)) slot.parent.splice(Number(slot.key), 1);
      else delete parent[slot.key];
      break;
    case 'negative':
      parent[slot.key] = typeof current === 'number' ? -current - 1 : -1;
      break;
    case 'empty-string':
      parent[slot.key] = '';
      break;
  }
}
