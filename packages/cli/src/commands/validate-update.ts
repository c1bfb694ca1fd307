import { type Engine, formatPolicyError, parseYamlStream, type PolicyError } from '@armorkit/core';
import { checkPolicyUpdate } from '@armorkit/plugin-k8s';
import { EXIT, type CliIO, UsageError } from '../io.js';
import { type InputFile, readInputs } from '../inputs.js';
import { type ValidateOptions, validateCommand } from './validate.js';

const POLICY_KINDS: ReadonlySet<string> = new Set(['VarmorPolicy', 'VarmorClusterPolicy']);

interface PolicyDocument {
  identity: string;
  data: unknown;
  locate(pointer: string): { line: number; column: number } | undefined;
  file: string;
  index: number;
}

/** `VarmorPolicy demo/web`, `VarmorClusterPolicy web`: what pairs a policy with its previous version. */
function identityOf(data: unknown): string | undefined {
  if (typeof data !== 'object' || data === null) return undefined;
  const { kind, metadata } = data as { kind?: unknown; metadata?: { name?: unknown; namespace?: unknown } };
  if (typeof kind !== 'string' || !POLICY_KINDS.has(kind) || typeof metadata?.name !== 'string') return undefined;
  const namespace = typeof metadata.namespace === 'string' ? metadata.namespace : 'default';
  return kind === 'VarmorPolicy' ? `${kind} ${namespace}/${metadata.name}` : `${kind} ${metadata.name}`;
}

/** The policy documents of `files` (syntax problems are validate's to report for the new files). */
function policyDocuments(files: readonly InputFile[]): { documents: PolicyDocument[]; errors: PolicyError[] } {
  const documents: PolicyDocument[] = [];
  const errors: PolicyError[] = [];
  for (const file of files) {
    const stream = parseYamlStream(file.text, file.name);
    errors.push(...stream.errors);
    for (const document of stream.documents) {
      const identity = identityOf(document.data);
      if (identity) documents.push({ identity, data: document.data, locate: (pointer) => document.locate(pointer), file: file.name, index: document.index });
      // `kubectl get vpol -A -o yaml` prints several policies as one List; their places are inside it.
      const items = (document.data as { kind?: unknown; items?: unknown } | null)?.kind === 'List' ? (document.data as { items?: unknown }).items : undefined;
      if (!Array.isArray(items)) continue;
      items.forEach((item: unknown, position) => {
        const itemIdentity = identityOf(item);
        if (itemIdentity) documents.push({ identity: itemIdentity, data: item, locate: (pointer) => document.locate(`/items/${position}${pointer}`), file: file.name, index: document.index });
      });
    }
  }
  return { documents, errors };
}

/**
 * `armorkit validate --previous OLD.yaml NEW...`: vArmor's update rules from each policy of OLD (as `kubectl get -o
 * yaml` prints it, status included, one policy or a List of them) to the policy of the same kind, namespace and name in NEW, then every check of
 * `validate` on NEW. 1 when an update is refused or NEW is invalid.
 */
export async function validateUpdateCommand(
  engineFor: (files: readonly InputFile[]) => Promise<Engine>,
  previousPath: string,
  paths: readonly string[],
  options: ValidateOptions,
  io: CliIO,
): Promise<number> {
  const previousRead = readInputs([previousPath], io.cwd);
  if (previousRead.problems.length > 0) throw new UsageError(`--previous: ${previousRead.problems.join('; ')}`);
  const previous = policyDocuments(previousRead.files);
  if (previous.errors.length > 0) throw new UsageError(`--previous:\n${previous.errors.map(formatPolicyError).join('\n')}`);
  const before = new Map(previous.documents.map((document) => [document.identity, document]));

  const refused: PolicyError[] = [];
  let compared = 0;
  for (const next of policyDocuments(readInputs(paths, io.cwd).files).documents) {
    const old = before.get(next.identity);
    if (!old) {
      io.err(`${next.file}: ${next.identity} has no previous version in ${previousPath}; checked as a new policy`);
      continue;
    }
    compared++;
    for (const error of checkPolicyUpdate(old.data, next.data)) {
      refused.push({ ...error, location: { file: next.file, document: next.index, ...next.locate(error.pointer) } });
    }
  }
  for (const error of refused) io.err(formatPolicyError(error));
  const validated = await validateCommand(engineFor, paths, options, io);
  io.out(`update from ${previousPath}: ${compared} polic${compared === 1 ? 'y' : 'ies'} compared, ${refused.length} change(s) refused`);
  if (validated === EXIT.usage) return validated;
  return refused.length > 0 ? EXIT.invalid : validated;
}
