// The view the validating webhook checks leaves out managedFields and the last-applied annotation: for every corpus
// policy (and some broken on purpose), the engine finds the same problems, at the same pointers, in the object with
// them and in the view.
import { checkPolicies, createEngine, type PolicyError, varmorDialect } from '@armorkit/core';
import builtinRules from '@armorkit/builtin-rules';
import apparmor from '@armorkit/plugin-apparmor';
import bpf from '@armorkit/plugin-bpf';
import seccomp from '@armorkit/plugin-seccomp';
import { parseAllDocuments } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { checkedView, LAST_APPLIED_ANNOTATION } from '../src/validate/checked-view.js';
import { varmorCorpus } from './support/corpus.js';

const engine = createEngine({ plugins: [varmorDialect(), apparmor(), seccomp(), bpf()], rulePacks: [builtinRules] });
afterAll(() => engine.close());

/** The object as the API server sends it after `kubectl apply`: its managedFields and last-applied annotation. */
function asApplied(object: Record<string, unknown>): Record<string, unknown> {
  const metadata = (object.metadata ?? {}) as Record<string, unknown>;
  const annotations = (metadata.annotations ?? {}) as Record<string, unknown>;
  return {
    ...object,
    metadata: {
      ...metadata,
      annotations: { ...annotations, [LAST_APPLIED_ANNOTATION]: `${JSON.stringify(object)}\n` },
      managedFields: [{ apiVersion: 'crd.varmor.org/v1beta1', fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': { '.': {} } }, manager: 'kubectl-client-side-apply', operation: 'Update' }],
    },
  };
}

const shown = (problems: readonly PolicyError[]) => problems.map((problem) => `${problem.code} ${problem.pointer}: ${problem.message}`);

async function verdict(object: unknown) {
  const outcome = await checkPolicies(engine, [{ name: 'review', text: JSON.stringify(object) }], { verify: false });
  return { errors: shown(outcome.errors), warnings: shown(outcome.warnings), checked: outcome.checked.length, artifacts: outcome.checked.flatMap((c) => c.artifacts.map((a) => a.enforcer)) };
}

const objects = varmorCorpus().flatMap(({ name, text }) =>
  parseAllDocuments(text).flatMap((document, index) => {
    const object = document.toJS() as Record<string, unknown> | null;
    return object && typeof object === 'object' ? [[`${name}#${index}`, object] as const] : [];
  }),
);
const broken: [string, Record<string, unknown>][] = [
  ['bad target kind', { apiVersion: 'crd.varmor.org/v1beta1', kind: 'VarmorPolicy', metadata: { name: 'x', namespace: 'demo' }, spec: { target: { kind: 'Job' }, policy: { enforcer: 'Nope', mode: 'AlwaysAllow' } } }],
  ['annotation not a string', { apiVersion: 'crd.varmor.org/v1beta1', kind: 'VarmorPolicy', metadata: { name: 'x', namespace: 'demo', annotations: { [LAST_APPLIED_ANNOTATION]: 7 } }, spec: { target: { kind: 'Deployment', name: 'a' }, policy: { enforcer: 'Seccomp', mode: 'AlwaysAllow' } } }],
];

describe('checkedView', () => {
  it('covers the corpus', () => expect(objects.length).toBeGreaterThanOrEqual(20));

  it.each([...objects, ...broken])('%s: the same verdict with and without managedFields and last-applied', async (_name, object) => {
    const applied = asApplied(object);
    const view = checkedView(applied);
    expect(JSON.stringify(view).length).toBeLessThan(JSON.stringify(applied).length);
    expect(await verdict(view)).toEqual(await verdict(applied));
  });

  it('keeps a non-string last-applied annotation and everything else as it is', () => {
    const object = { kind: 'VarmorPolicy', metadata: { name: 'x', annotations: { [LAST_APPLIED_ANNOTATION]: 7, other: 'kept' }, labels: { a: 'b' } }, spec: { s: 1 } };
    expect(checkedView(object)).toEqual(object);
    const applied = { ...object, metadata: { ...object.metadata, annotations: { [LAST_APPLIED_ANNOTATION]: '{}', other: 'kept' }, managedFields: [] } };
    expect(checkedView(applied)).toEqual({ kind: 'VarmorPolicy', metadata: { name: 'x', annotations: { other: 'kept' }, labels: { a: 'b' } }, spec: { s: 1 } });
  });
});
