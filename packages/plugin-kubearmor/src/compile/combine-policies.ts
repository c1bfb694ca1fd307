import { type CombineOptions, type DialectResult, type PolicyError, type PolicyIR, composeSources, locateErrors, toPointer } from '@armorkit/core';
import type { VarmorPolicySpec } from '@armorkit/core/schema';
import { type KubeArmorDialectOptions, kubeArmorSetProfileName } from '../dialect/policy-ir.js';
import { kubearmorErrors as errors } from '../errors.js';
import type { ParsedKubeArmorPolicy } from '../parse/parsed-policy.js';
import type { FieldNote } from '../semantics/rules.js';
import { type RuleSet, type TranslateOptions, ruleSetOf, translateRuleSet } from '../semantics/translate.js';
import { rememberTranslation } from './policy-ir.js';

const KIND_ORDER = { KubeArmorClusterPolicy: 0, KubeArmorPolicy: 1, KubeArmorHostPolicy: 2 } as const;

/** Members in a fixed order (cluster policies first, then by namespace and name), so the result is the same for any order given. */
function inOrder(members: readonly ParsedKubeArmorPolicy[]): ParsedKubeArmorPolicy[] {
  const key = (policy: ParsedKubeArmorPolicy) => `${KIND_ORDER[policy.kind]}\n${policy.namespace ?? ''}\n${policy.name}`;
  return [...members].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

const prefixed = (index: number, pointer: string) => `/${index}${pointer}`;
const prefixNotes = (index: number, notes: readonly FieldNote[]): FieldNote[] => notes.map((note) => ({ ...note, pointer: prefixed(index, note.pointer) }));

/** Why the members cannot select one container, at the member's field; none when they can. */
function disjointness(members: readonly ParsedKubeArmorPolicy[]): PolicyError[] {
  const found: PolicyError[] = [];
  const hosts = members.filter((member) => member.kind === 'KubeArmorHostPolicy');
  if (hosts.length > 0 && hosts.length < members.length) {
    const index = members.findIndex((member) => member.kind === 'KubeArmorHostPolicy');
    found.push(errors.error('kubearmor/policies-disjoint', prefixed(index, '/kind'), 'a host policy confines the node, not a container: it cannot apply together with container policies'));
  }
  const namespaced = members.map((member, index) => ({ member, index })).filter(({ member }) => member.kind === 'KubeArmorPolicy');
  const namespace = namespaced[0]?.member.namespace;
  for (const { member, index } of namespaced) {
    if (member.namespace !== namespace) {
      found.push(errors.error('kubearmor/policies-disjoint', prefixed(index, '/metadata/namespace'), `${member.name} is of namespace ${member.namespace ?? 'default'} and ${namespaced[0]?.member.name} of ${namespace ?? 'default'}: no container is selected by both`, member.namespace));
    }
  }
  const labels = new Map<string, { value: string; name: string }>();
  for (const { member, index } of namespaced) {
    if (member.target.kind !== 'pods') continue;
    for (const [key, value] of Object.entries(member.target.matchLabels)) {
      const seen = labels.get(key);
      if (seen && seen.value !== value) {
        found.push(errors.error('kubearmor/policies-disjoint', prefixed(index, `${member.target.pointer}/matchLabels${toPointer([key])}`), `label ${key} is ${JSON.stringify(value)} here and ${JSON.stringify(seen.value)} in ${seen.name}: no pod has both`, value));
      } else if (!seen) labels.set(key, { value, name: member.name });
    }
  }
  if (found.length === 0 && commonContainers(members)?.length === 0) {
    const index = members.findIndex((member) => member.target.kind === 'pods' && member.target.containers.length > 0);
    const target = members[index]?.target;
    found.push(errors.error('kubearmor/policies-disjoint', prefixed(index, target?.pointer ?? ''), 'the policies name containers (kubearmor.io/container.name) and no container is named by all of them'));
  }
  return found;
}

/** The containers every member that names some names; undefined when none names any (all containers). */
function commonContainers(members: readonly ParsedKubeArmorPolicy[]): string[] | undefined {
  const lists = members.flatMap((member) => (member.target.kind === 'pods' && member.target.containers.length > 0 ? [member.target.containers] : []));
  const [first, ...rest] = lists;
  return first ? first.filter((name) => rest.every((list) => list.includes(name))) : undefined;
}

/** The vArmor-shaped target of the set: pods with every member's labels, the containers all of them name. */
function setTarget(members: readonly ParsedKubeArmorPolicy[]): VarmorPolicySpec['target'] {
  const matchLabels: Record<string, string> = {};
  for (const member of members) if (member.target.kind === 'pods') Object.assign(matchLabels, member.target.matchLabels);
  const containers = commonContainers(members);
  return { kind: 'Pod', selector: { matchLabels }, ...(containers ? { containers } : {}) };
}

/** The rules of the members as one set; member k's pointers are `/k/...` of the composed document. */
function mergedRuleSet(members: readonly ParsedKubeArmorPolicy[]): RuleSet {
  const sets = members.map((member) => ruleSetOf(member));
  return {
    rules: sets.flatMap((set, index) => set.rules.map((rule) => ({ ...rule, pointer: prefixed(index, rule.pointer) }))),
    refused: sets.flatMap((set, index) => prefixNotes(index, set.refused)),
    ignored: sets.flatMap((set, index) => prefixNotes(index, set.ignored)),
    natives: sets.flatMap((set, index) => set.natives.map((native) => ({ ...native, pointer: prefixed(index, native.pointer) }))),
    namespace: members.find((member) => member.kind === 'KubeArmorPolicy')?.namespace ?? '',
    host: members.every((member) => member.kind === 'KubeArmorHostPolicy'),
    target: setTarget(members),
    describe: (pointer) => {
      const [, head, ...rest] = pointer.split('/');
      const member = members[Number(head)];
      return member ? `${member.kind} ${member.name} /${rest.join('/')}` : pointer;
    },
  };
}

/**
 * KubeArmor's merge of the policies that select one container (reference §2.3): one profile with the union of
 * their rules, each keeping its policy's name, severity, tags and message for alerts; a class is whitelisted when
 * any member has an Allow rule for it. Undefined when a policy is not KubeArmor's (the engine then says they cannot
 * be combined); errors, at the member's field, when they cannot select one container or their union cannot be enforced.
 */
export function combineKubeArmorPolicies(policies: readonly PolicyIR[], options: TranslateOptions & KubeArmorDialectOptions = {}, combine: CombineOptions = {}): DialectResult | undefined {
  const parsed = policies.flatMap((policy) => (policy.dialectPolicy?.kubearmor ? [policy.dialectPolicy.kubearmor] : []));
  if (parsed.length !== policies.length) return undefined;
  const members = inOrder(parsed);
  const source = composeSources(members.map((member) => member.source));
  const disjoint = disjointness(members);
  if (disjoint.length > 0) return { errors: locateErrors(disjoint, source) };
  const translation = translateRuleSet(mergedRuleSet(members), options);
  if (translation.errors.length > 0) return { errors: locateErrors(translation.errors, source) };
  const namespaced = members.find((member) => member.kind === 'KubeArmorPolicy');
  const kinds = [...new Set(members.map((member) => member.kind))];
  const policy: PolicyIR = {
    dialect: 'kubearmor',
    kind: kinds.length === 1 && kinds[0] ? kinds[0] : 'KubeArmorPolicy',
    name: members.map((member) => member.name).join('+'),
    namespace: namespaced?.namespace ?? options.namespace ?? 'armorkit',
    clusterScoped: namespaced === undefined,
    labels: {},
    profileName: combine.profileName ?? kubeArmorSetProfileName(members),
    enforcers: translation.enforcers,
    spec: translation.spec,
    source,
    specPointer: '/0/spec',
  };
  rememberTranslation(policy, translation);
  return { policy, errors: [] };
}
