import { createEngine, type Engine, type KubernetesVersion, type PolicyIR, varmorDialect } from '@armorkit/core';
import builtinRules from '@armorkit/builtin-rules';
import { apparmor } from '@armorkit/plugin-apparmor';
import { bpf } from '@armorkit/plugin-bpf';
import { seccomp } from '@armorkit/plugin-seccomp';
import fastJsonPatch from 'fast-json-patch';
import { parse } from 'yaml';
import { formatPatch, type PatchOperation } from '../src/mutate/json-patch.js';
import type { MatchLabels } from '../src/mutate/match-labels.js';
import { mutateWorkload } from '../src/mutate/mutate-workload.js';
import type { OperationStyle } from '../src/mutate/patch-writer.js';
import { policiesFromTexts } from '../src/mutate/policy-source.js';
import { readWorkload } from '../src/mutate/workload.js';

// The official enforcer plugins and rules: the pod changes under test are theirs, through the engine.
export const engine: Engine = createEngine({ plugins: [varmorDialect(), apparmor(), seccomp(), bpf()], rulePacks: [builtinRules] });

export const NOW = new Date('2026-12-02T03:04:05.678Z');
export const NOW_TEXT = '2026-12-02T03:04:05Z';

export interface PolicyOptions {
  kind?: 'VarmorPolicy' | 'VarmorClusterPolicy';
  name?: string;
  namespace?: string;
  enforcer: string;
  mode?: string;
  target: Record<string, unknown>;
}

/** A policy document; EnhanceProtect with one rule every enforcer has, unless another mode is given. */
export function policy(options: PolicyOptions): PolicyIR {
  const mode = options.mode ?? 'EnhanceProtect';
  const document = {
    apiVersion: 'crd.varmor.org/v1beta1',
    kind: options.kind ?? 'VarmorPolicy',
    metadata: { name: options.name ?? 'test', ...(options.kind === 'VarmorClusterPolicy' ? {} : { namespace: options.namespace ?? 'testns' }) },
    spec: {
      target: options.target,
      policy: { enforcer: options.enforcer, mode, ...(mode === 'EnhanceProtect' ? { enhanceProtect: { hardeningRules: ['disable-cap-privileged'] } } : {}) },
    },
  };
  const read = policiesFromTexts(engine, [{ name: 'policy.yaml', text: JSON.stringify(document) }]);
  if (read.errors.length > 0 || read.policies.length !== 1) throw new Error(`test policy is invalid: ${JSON.stringify(read.errors)}`);
  return read.policies[0]!;
}

export interface MutateOptions {
  policies: readonly PolicyIR[];
  version?: KubernetesVersion;
  /** Default `{}`: no label needed. */
  matchLabels?: MatchLabels;
  style?: OperationStyle;
  namespace?: string;
  now?: Date;
  /** Another engine (other plugin options). */
  engine?: Engine;
}

export function object(yaml: string): Record<string, unknown> {
  return parse(yaml) as Record<string, unknown>;
}

/** Mutates an object; throws when it cannot (tests of failures call mutateWorkload themselves). */
export function mutate(input: Record<string, unknown>, options: MutateOptions) {
  const workload = readWorkload(input, options.namespace ?? 'testns');
  if (!workload.ok) throw new Error(JSON.stringify(workload.errors));
  const result = mutateWorkload({
    engine: options.engine ?? engine,
    policies: options.policies,
    workload: workload.value,
    kubernetesVersion: options.version ?? { major: 1, minor: 29 },
    now: options.now ?? NOW,
    matchLabels: options.matchLabels ?? {},
    operationStyle: options.style ?? 'rfc6902',
  });
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  const operations = result.value.operations;
  return { operations, text: operations.length > 0 ? formatPatch(operations) : '', warnings: result.warnings, policy: result.value.policy, object: result.value.object };
}

/** Applies a patch with fast-json-patch; `strict` validates every operation as RFC 6902 requires (replace needs its target). */
export function applyPatch(input: Record<string, unknown>, operations: readonly PatchOperation[], strict = true): Record<string, unknown> {
  const copy = structuredClone(input);
  return fastJsonPatch.applyPatch(copy, structuredClone(operations) as fastJsonPatch.Operation[], strict, false).newDocument;
}

/** vArmor's spelling of one operation, for expected patches. */
export const op = (name: 'add' | 'replace', path: string, value: unknown) => `{"op": "${name}", "path": "${path}", "value": ${vArmorJson(value)}}`;
function vArmorJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(vArmorJson).join(', ')}]`;
  return `{${Object.entries(value).map(([key, item]) => `${JSON.stringify(key)}: ${vArmorJson(item)}`).join(', ')}}`;
}
export const patch = (...operations: string[]) => `[${operations.join(',')}]`;
