// The corpus of 767 real KubeArmor files (KubeArmor and policy-templates at HEAD) against `_crd_validation.tsv`, the
// verdict of validating each document against the CRDs: every valid document parses into a policy, every invalid one
// is refused with the CRD's reason (same field, same kind of problem), every YAML error is a yaml-syntax error.
import { readFileSync } from 'node:fs';
import type { PolicyError } from '@armorkit/core';
import { describe, expect, it } from 'vitest';
import { parseEngine } from './support/parse.js';

const CORPUS = new URL('../../../../shared/corpus/kubearmor/', import.meta.url);

interface Verdict {
  file: string;
  kind: string;
  status: 'OK' | 'INVALID' | 'YAML_ERROR';
  reasons: string[];
}

function verdicts(): Verdict[] {
  const lines = readFileSync(new URL('_crd_validation.tsv', CORPUS), 'utf8').split('\n').slice(1).filter((line) => line !== '');
  return lines.map((line) => {
    const [file = '', kind = '', status = '', errors = ''] = line.split('\t');
    if (status !== 'OK' && status !== 'INVALID' && status !== 'YAML_ERROR') throw new Error(`unexpected status ${status} for ${file}`);
    return { file, kind, status, reasons: errors === '' ? [] : errors.split(' | ') };
  });
}

/** `spec.file.matchPatterns[0].path: unknown field` → the pointer and the error code it must come as. */
function expectedError(reason: string): { pointer: string; code: string } {
  const colon = reason.indexOf(': ');
  const path = reason.slice(0, colon);
  const why = reason.slice(colon + 2);
  const pointer = '/' + path.replace(/\[(\d+)\]/g, '.$1').split('.').join('/');
  if (why === 'required' || why === 'None') return { pointer, code: 'required' };
  if (why === 'unknown field') return { pointer, code: 'unknown-field' };
  if (why.endsWith('!~ pattern') || why.endsWith('not in enum')) return { pointer, code: 'invalid-value' };
  throw new Error(`a reason this test does not know: ${reason}`);
}

/**
 * Where the TSV's validator (PyYAML, then the CRD schema) and the API server's YAML reading part, this test follows
 * the API server, as docs/kubearmor.md#parsing says; each case is checked to come out as stated here.
 */
const YAML_DIFFERENCES = {
  /**
   * A mapping key written twice: PyYAML keeps the last; kubectl's strict field validation (its default) refuses the
   * object ("duplicate field"), and so do we. In these files the repeated keys hide a section put under the wrong
   * parent (a `file:` left empty inside `process:`), so keeping the last value would enforce another policy.
   */
  duplicateKeys: 'yaml-syntax DUPLICATE_KEY',
  /**
   * A tab before a trailing comment (`app: django \t# ...`): PyYAML stops ("found character '\t' that cannot start
   * any token"); libyaml, go-yaml (what kubectl reads YAML with) and YAML 1.2 take the tab as white space, as we do.
   */
  tabBeforeComment: 'parsed',
} as const;

describe('the KubeArmor corpus against the CRD verdicts of _crd_validation.tsv', () => {
  it('accepts every valid document and refuses every invalid one with the CRD\'s reason; YAML differences as documented', () => {
    const engine = parseEngine;
    const byFile = new Map<string, Verdict[]>();
    for (const verdict of verdicts()) byFile.set(verdict.file, [...(byFile.get(verdict.file) ?? []), verdict]);

    const disagreements: string[] = [];
    const differences: Record<keyof typeof YAML_DIFFERENCES, string[]> = { duplicateKeys: [], tabBeforeComment: [] };
    const totals = { files: 0, documents: 0, accepted: 0, networkPolicies: 0, refused: 0, yamlErrors: 0 };
    for (const [file, expected] of byFile) {
      totals.files++;
      totals.documents += expected.length;
      const outcome = engine.parse(readFileSync(new URL(file, CORPUS), 'utf8'), file);
      const errors = outcome.errors;
      const describe = (problems: readonly PolicyError[]) => problems.map((error) => `${error.pointer} ${error.code}: ${error.message}`).join('; ');

      if (expected.some((verdict) => verdict.status === 'YAML_ERROR')) {
        if (errors.some((error) => error.code === 'yaml-syntax')) totals.yamlErrors++;
        else if (errors.length === 0 && outcome.policies.length === 1 && /\t[\t ]*#/.test(readFileSync(new URL(file, CORPUS), 'utf8'))) differences.tabBeforeComment.push(file);
        else disagreements.push(`${file}: a YAML error expected, got ${describe(errors) || 'none'}`);
        continue;
      }
      if (errors.length > 0 && errors.every((error) => error.code === 'yaml-syntax' && error.message.includes('DUPLICATE_KEY'))) {
        if (expected.every((verdict) => verdict.status === 'OK')) differences.duplicateKeys.push(file);
        else disagreements.push(`${file}: ${expected.map((verdict) => verdict.status).join()} expected, got ${describe(errors)}`);
        continue;
      }
      const policyKinds = expected.filter((verdict) => verdict.status === 'OK' && verdict.kind !== 'KubeArmorNetworkPolicy').map((verdict) => verdict.kind);
      const networkPolicies = expected.filter((verdict) => verdict.status === 'OK' && verdict.kind === 'KubeArmorNetworkPolicy').length;
      const wanted = expected.flatMap((verdict) => verdict.reasons.map(expectedError));
      // A valid KubeArmorNetworkPolicy passes its CRD and is then refused by the dialect, which does not enforce it.
      const unexpected = errors.filter((error) => !(networkPolicies > 0 && error.code === 'kubearmor/unsupported-kind'));

      if (wanted.length === 0) {
        const parsedKinds = outcome.policies.map((policy) => policy.kind);
        if (unexpected.length > 0 || parsedKinds.join() !== policyKinds.join()) {
          disagreements.push(`${file}: valid (${policyKinds.join(', ') || 'network policy'}), got ${describe(unexpected) || `policies ${parsedKinds.join(', ')}`}`);
          continue;
        }
        totals.accepted += parsedKinds.length;
        totals.networkPolicies += networkPolicies;
        continue;
      }
      const missing = wanted.filter((want) => !errors.some((error) => error.pointer === want.pointer && error.code === want.code));
      if (missing.length > 0 || outcome.policies.length > 0) {
        disagreements.push(`${file}: expected ${wanted.map((want) => `${want.pointer} ${want.code}`).join(', ')}, got ${describe(errors) || 'no error'}`);
        continue;
      }
      totals.refused++;
    }
    console.log(
      `KubeArmor corpus: ${totals.files} files, ${totals.documents} documents; ${totals.accepted} valid policies accepted, ` +
        `${totals.networkPolicies} valid KubeArmorNetworkPolicy checked and refused as not enforced, ` +
        `${totals.refused} invalid documents refused with the CRD's reason, ${totals.yamlErrors} YAML errors; ` +
        `documented YAML differences: ${differences.duplicateKeys.length} files with duplicate keys refused (${YAML_DIFFERENCES.duplicateKeys}), ` +
        `${differences.tabBeforeComment.length} files with a tab before a comment ${YAML_DIFFERENCES.tabBeforeComment}; ${disagreements.length} disagreements`,
    );
    expect(disagreements).toEqual([]);
    // The files of each difference, so that a new one is looked at, not absorbed.
    expect(differences.duplicateKeys).toHaveLength(12);
    expect(differences.tabBeforeComment).toHaveLength(9);
    const documentsOf = (files: string[]) => files.reduce((sum, file) => sum + (byFile.get(file)?.length ?? 0), 0);
    const counted = totals.accepted + totals.networkPolicies + totals.refused + totals.yamlErrors;
    expect(counted + documentsOf(differences.duplicateKeys) + documentsOf(differences.tabBeforeComment)).toBe(totals.documents);
  });
});
