import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { type Engine, formatPolicyError, parseYamlStream, type PolicyError } from '@armorkit/core';
import {
  formatMatchLabels,
  formatPatch,
  mutateWorkload,
  type OperationStyle,
  parseKubernetesVersion,
  policiesFromTexts,
  readWorkload,
  WORKLOAD_KINDS,
} from '@armorkit/plugin-k8s';
import { stringify } from 'yaml';
import { readInputs } from '../inputs.js';
import { EXIT, type CliIO, UsageError } from '../io.js';
import { matchLabelsOption } from './match-labels.js';

export interface K8sMutateOptions {
  policies?: string[];
  kubeVersion?: string;
  matchLabel?: string[];
  apply?: boolean;
  opStyle?: string;
}

/** Offline, the newest behaviour: AppArmor through securityContext (Kubernetes 1.30, where it became GA). */
export const DEFAULT_KUBE_VERSION = '1.30';

type SourceDocument = ReturnType<typeof parseYamlStream>['documents'][number];

const located = (errors: readonly PolicyError[], document: SourceDocument): PolicyError[] =>
  errors.map((error) => (error.location ? error : { ...error, location: { file: document.file, document: document.index, ...document.locate(error.pointer) } }));

function readText(path: string, cwd: string): { name: string; text: string } {
  try {
    return path === '-' ? { name: '<stdin>', text: readFileSync(0, 'utf8') } : { name: path, text: readFileSync(resolve(cwd, path), 'utf8') };
  } catch {
    throw new UsageError(`${path}: cannot read the workload file`);
  }
}

/**
 * `armorkit k8s mutate --policies DIR WORKLOAD.yaml`: the JSON patch the mutating webhook would return for each
 * Pod, Deployment, StatefulSet or DaemonSet of the file (one line each; `[]` when nothing changes), or with
 * `--apply` the documents as they would be stored. Exit 0, 1 when the policies or the workloads have problems.
 */
export async function k8sMutateCommand(engine: () => Promise<Engine>, workloadPath: string, options: K8sMutateOptions, io: CliIO): Promise<number> {
  const version = parseKubernetesVersion(options.kubeVersion ?? DEFAULT_KUBE_VERSION);
  if (!version.ok) throw new UsageError(`--kube-version: ${version.errors[0]!.message}`);
  const matchLabels = matchLabelsOption(options.matchLabel);
  const style = options.opStyle ?? 'rfc6902';
  if (style !== 'rfc6902' && style !== 'varmor') throw new UsageError(`--op-style: ${JSON.stringify(style)} is not rfc6902 or varmor`);
  const operationStyle: OperationStyle = style;
  if (!options.policies || options.policies.length === 0) throw new UsageError('--policies: give the policy files or directories');
  const inputs = readInputs(options.policies, io.cwd);
  if (inputs.problems.length > 0) throw new UsageError(inputs.problems.join('; '));
  const workloadFile = readText(workloadPath, io.cwd);

  const loaded = await engine();
  const policies = policiesFromTexts(loaded, inputs.files);
  if (policies.errors.length > 0) {
    for (const error of policies.errors) io.err(formatPolicyError(error));
    return EXIT.invalid;
  }
  const stream = parseYamlStream(workloadFile.text, workloadFile.name);
  if (stream.errors.length > 0) {
    for (const error of stream.errors) io.err(formatPolicyError(error));
    return EXIT.invalid;
  }

  let invalid = false;
  const patches: string[] = [];
  const documents: unknown[] = [];
  for (const document of stream.documents) {
    const kind = (document.data as { kind?: unknown } | null)?.kind;
    if (typeof kind !== 'string' || !(WORKLOAD_KINDS as readonly string[]).includes(kind)) {
      io.err(`${document.file}: document ${document.index + 1} (${typeof kind === 'string' ? kind : 'no kind'}) is not a workload the webhook mutates; left as it is`);
      documents.push(document.data);
      continue;
    }
    const workload = readWorkload(document.data);
    const mutation = workload.ok
      ? mutateWorkload({ engine: loaded, policies: policies.policies, workload: workload.value, kubernetesVersion: version.value, now: new Date(), matchLabels, operationStyle })
      : workload;
    for (const warning of located(mutation.warnings, document)) io.err(`${formatPolicyError(warning)} (warning)`);
    if (!mutation.ok) {
      for (const error of located(mutation.errors, document)) io.err(formatPolicyError(error));
      invalid = true;
      continue;
    }
    const { policy, operations, object } = mutation.value;
    const name = workload.ok ? `${kind} ${workload.value.namespace}/${workload.value.name}` : kind;
    io.err(
      policy
        ? `${name}: ${policy.kind} ${policy.clusterScoped ? '' : `${policy.namespace}/`}${policy.name} (profile ${policy.profileName}): ${operations.length === 0 ? 'nothing to change' : `${operations.length} operations`}`
        : `${name}: no policy matches${Object.keys(matchLabels).length > 0 ? ` (or it lacks the labels ${formatMatchLabels(matchLabels)})` : ''}`,
    );
    patches.push(operations.length === 0 ? '[]' : formatPatch(operations));
    documents.push(object);
  }
  if (invalid) return EXIT.invalid;
  // YAML 1.1 quoting, so kubectl (a YAML 1.1 reader) reads mutatedAt and "true" back as strings.
  if (options.apply) io.out(documents.map((document) => stringify(document, { lineWidth: 0, version: '1.1' })).join('---\n'));
  else for (const patch of patches) io.out(patch);
  return EXIT.ok;
}
