import { expect } from 'vitest';
import type { PolicyError } from '../src/errors.js';
import { validateVarmorDocument } from '../src/parse/validate-document.js';
import { parseYamlStream } from '../src/parse/yaml-stream.js';
import type { VarmorPolicy } from '../src/schema/varmor/index.js';

/** Parses and validates every document of a stream. */
export function load(text: string, file = 'policy.yaml'): { policies: VarmorPolicy[]; errors: PolicyError[] } {
  const stream = parseYamlStream(text, file);
  const policies: VarmorPolicy[] = [];
  const errors = [...stream.errors];
  for (const document of stream.documents) {
    const result = validateVarmorDocument(document);
    if (result.policy) policies.push(result.policy);
    errors.push(...result.errors);
  }
  return { policies, errors };
}

/** Removes the indentation common to all non-blank lines (and a leading newline), so cases read as YAML. */
export function dedent(text: string): string {
  const lines = text.replace(/^\n/, '').replace(/\n\s*$/, '').split('\n');
  const width = Math.min(...lines.filter((l) => l.trim()).map((l) => l.length - l.trimStart().length));
  return lines.map((l) => l.slice(width)).join('\n');
}

export function indent(text: string, spaces: number): string {
  return dedent(text)
    .split('\n')
    .map((line) => (line.trim() ? ' '.repeat(spaces) + line : line))
    .join('\n');
}

/** A VarmorPolicy whose `spec.policy` is `policyBody` (and target `target`). */
export function policyDocument(policyBody: string, target = 'kind: Deployment\nname: web'): string {
  return [
    'apiVersion: crd.varmor.org/v1beta1',
    'kind: VarmorPolicy',
    'metadata:',
    '  name: demo',
    '  namespace: demo',
    'spec:',
    '  target:',
    indent(target, 4),
    '  policy:',
    indent(policyBody, 4),
    '',
  ].join('\n');
}

/** EnhanceProtect with the given enhanceProtect body. */
export function enhance(body: string, enforcer = 'BPF'): string {
  return policyDocument(`enforcer: ${enforcer}\nmode: EnhanceProtect\nenhanceProtect:\n${indent(body, 2)}`);
}

/** EnhanceProtect with the given bpfRawRules body. */
export function bpfRules(body: string): string {
  return enhance(`bpfRawRules:\n${indent(body, 2)}`);
}

/** 1-based position of `^` in `marker`, once `marker` without `^` is found in `text` (`^` first when absent). */
export function positionOf(text: string, marker: string): { line: number; column: number } {
  const caret = Math.max(marker.indexOf('^'), 0);
  const needle = marker.replace('^', '');
  const start = text.indexOf(needle);
  if (start < 0) throw new Error(`marker ${JSON.stringify(needle)} not in the text`);
  const offset = start + caret;
  const before = text.slice(0, offset);
  return { line: before.split('\n').length, column: offset - before.lastIndexOf('\n') };
}

export interface Expected {
  code: string;
  pointer: string;
  /** Where the error must point: the marker's `^` (or its start). */
  at: string;
  message?: string | RegExp;
}

/** Asserts `text` fails with (at least) this error, at this position. */
export function expectError(text: string, expected: Expected): PolicyError {
  const { errors, policies } = load(text);
  expect(policies).toEqual([]);
  const error = errors.find((e) => e.pointer === expected.pointer);
  expect(error, `no error at ${expected.pointer}; got ${JSON.stringify(errors, null, 1)}`).toBeDefined();
  expect(error!.code).toBe(expected.code);
  const position = positionOf(text, expected.at);
  expect({ line: error!.location?.line, column: error!.location?.column }).toEqual(position);
  if (typeof expected.message === 'string') expect(error!.message).toBe(expected.message);
  else if (expected.message) expect(error!.message).toMatch(expected.message);
  return error!;
}

export function expectValid(text: string): VarmorPolicy {
  const { errors, policies } = load(text);
  expect(errors).toEqual([]);
  expect(policies).toHaveLength(1);
  return policies[0]!;
}
