import { describe, expect, it } from 'vitest';
import { formatPolicyError } from '../src/errors.js';
import { testEngine } from './helpers.js';

const parse = (text: string) => testEngine().parse(text, 'kinds.yaml');

describe('documents of crd.varmor.org that are not policies', () => {
  it.each([
    ['VarmorProfile', 'VarmorPolicy'],
    ['VarmorPolicys', 'VarmorPolicy'],
    ['varmorpolicy', 'VarmorPolicy'],
    ['VARMORCLUSTERPOLICY', 'VarmorClusterPolicy'],
    ['VarmorClusterPolcy', 'VarmorClusterPolicy'],
  ])('kind %s is an error at /kind suggesting %s', (kind, suggestion) => {
    const outcome = parse(`apiVersion: crd.varmor.org/v1beta1\nkind: ${kind}\nmetadata: {name: x, namespace: demo}\nspec: {}\n`);
    expect(outcome.ignored).toEqual([]);
    expect(outcome.errors.map(formatPolicyError)).toEqual([
      `kinds.yaml:2:7: /kind: kind "${kind}" is not a kind of crd.varmor.org/v1beta1; did you mean "${suggestion}"?`,
    ]);
  });

  it.each(['__proto__', 'constructor', 'toString', 'hasOwnProperty'])('kind %s (a member of every object) is an unknown kind, not a lookup', (kind) => {
    const outcome = parse(`apiVersion: crd.varmor.org/v1beta1\nkind: ${kind}\nmetadata: {name: x, namespace: demo}\nspec: {}\n`);
    expect(outcome.errors.map((error) => [error.code, error.message])).toEqual([
      ['invalid-value', expect.stringMatching(new RegExp(`^kind "${kind}" is not a kind of crd.varmor.org/v1beta1; did you mean "Varmor(Cluster)?Policy"\\?$`))],
    ]);
  });

  it('says ArmorProfile and ArmorProfileModel are not policies, in every document of a stream', () => {
    const outcome = parse(
      'apiVersion: crd.varmor.org/v1beta1\nkind: ArmorProfile\n---\napiVersion: v1\nkind: ConfigMap\n---\napiVersion: crd.varmor.org/v1beta1\nkind: ArmorProfileModel\n',
    );
    expect(outcome.errors.map((error) => [error.code, formatPolicyError(error)])).toEqual([
      [
        'not-a-policy',
        `kinds.yaml:2:7: /kind: kind "ArmorProfile" is not a policy; expected VarmorClusterPolicy or VarmorPolicy (an ArmorProfile is what vArmor's controller makes from a policy)`,
      ],
      [
        'not-a-policy',
        'kinds.yaml:8:7: /kind: kind "ArmorProfileModel" is not a policy; expected VarmorClusterPolicy or VarmorPolicy (an ArmorProfileModel is a behaviour model; armorkit takes it with --model)',
      ],
    ]);
    expect(outcome.ignored).toEqual([{ index: 1, kind: 'ConfigMap' }]);
  });

  it('still ignores other groups, and still reports a policy kind under a wrong apiVersion', () => {
    expect(parse('apiVersion: example.com/v1\nkind: VarmorPolicys\n')).toMatchObject({ errors: [], ignored: [{ kind: 'VarmorPolicys' }] });
    const wrongVersion = parse('apiVersion: crd.varmor.org/v1\nkind: VarmorPolicy\nmetadata: {name: x}\nspec: {}\n');
    expect(wrongVersion.errors.map((error) => error.pointer)).toContain('/apiVersion');
  });
});
