import { ApiException, CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import { failureMessage } from '@armorkit/core';
import { type DynamicResult, splitDynamicResult } from '@armorkit/core/model';
import { MODEL_CHUNK_BYTES, MODEL_PART_API_VERSION, MODEL_PART_GROUP, MODEL_PART_KIND, MODEL_PART_PLURAL, MODEL_PART_PROFILE_LABEL, MODEL_PART_VERSION, type ModelPartSpec, modelPartName } from './part-schema.js';

export interface PartOwner {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
}

export interface PartWrite {
  namespace: string;
  profileName: string;
  /** The writing node; absent for the controller's stored model. */
  nodeName?: string;
  session: string;
  revision: number;
  final: boolean;
  dynamicResult: DynamicResult;
  /** What the chunks are deleted with (the ArmorProfile for a node's part). */
  owner?: PartOwner;
  /** How many chunks the previous write left (the ones above the new count are deleted). */
  previousCount: number;
}

const codeOf = (error: unknown) => (error instanceof ApiException ? error.code : undefined);
const problemOf = (error: unknown) => (error instanceof ApiException ? `HTTP ${error.code}: ${typeof error.body === 'string' ? error.body.slice(0, 200) : String(error.body)}` : error instanceof Error ? error.message : String(error));

/**
 * Writes one source's part of a model as ArmorModelPart chunks (create, or a JSON patch of `spec` when it exists:
 * the writer is each chunk's only writer, so no resourceVersion is needed), then deletes the chunks of the previous
 * write beyond the new count. The reader takes a revision only once all its chunks are there.
 */
export class ModelPartWriter {
  private readonly objects: CustomObjectsApi;
  /** Requests made (for the tests and docs/kubernetes.md's figures). */
  requests = 0;

  constructor(
    kubeConfig: KubeConfig,
    private readonly chunkBytes = MODEL_CHUNK_BYTES,
  ) {
    this.objects = kubeConfig.makeApiClient(CustomObjectsApi);
  }

  /** The number of chunks written, or the problem (the caller writes again later). */
  async write(part: PartWrite): Promise<{ ok: true; count: number } | { ok: false; problem: string }> {
    const split = splitDynamicResult(part.dynamicResult, this.chunkBytes);
    if (!split.ok) return { ok: false, problem: `the model of ${part.namespace}/${part.profileName} cannot be cut into chunks: ${failureMessage(split)}` };
    const chunks = split.value;
    const path = { group: MODEL_PART_GROUP, version: MODEL_PART_VERSION, namespace: part.namespace, plural: MODEL_PART_PLURAL };
    try {
      for (const [index, dynamicResult] of chunks.entries()) {
        const name = modelPartName(part.profileName, part.nodeName, index);
        const spec: ModelPartSpec = {
          profileName: part.profileName,
          ...(part.nodeName !== undefined ? { nodeName: part.nodeName } : {}),
          session: part.session,
          revision: part.revision,
          chunk: { index, count: chunks.length },
          final: part.final,
          dynamicResult,
        };
        const body = {
          apiVersion: MODEL_PART_API_VERSION,
          kind: MODEL_PART_KIND,
          metadata: { name, namespace: part.namespace, labels: { [MODEL_PART_PROFILE_LABEL]: part.profileName }, ...(part.owner ? { ownerReferences: [{ ...part.owner, controller: false, blockOwnerDeletion: false }] } : {}) },
          spec,
        };
        // A chunk the previous write made is there to patch; a new one is created (and patched if it was there after all).
        if (index < part.previousCount && (await this.patch(path, name, spec))) continue;
        try {
          this.requests += 1;
          await this.objects.createNamespacedCustomObject({ ...path, body });
        } catch (error) {
          if (codeOf(error) !== 409 || !(await this.patch(path, name, spec))) throw error;
        }
      }
      for (let index = chunks.length; index < part.previousCount; index++) {
        try {
          this.requests += 1;
          await this.objects.deleteNamespacedCustomObject({ ...path, name: modelPartName(part.profileName, part.nodeName, index) });
        } catch (error) {
          if (codeOf(error) !== 404) throw error;
        }
      }
    } catch (error) {
      return { ok: false, problem: `ArmorModelPart of ${part.namespace}/${part.profileName}${part.nodeName ? ` (node ${part.nodeName})` : ''}: ${problemOf(error)}` };
    }
    return { ok: true, count: chunks.length };
  }

  /** false when the chunk is not there (404). */
  private async patch(path: { group: string; version: string; namespace: string; plural: string }, name: string, spec: ModelPartSpec): Promise<boolean> {
    try {
      this.requests += 1;
      await this.objects.patchNamespacedCustomObject({ ...path, name, body: [{ op: 'replace', path: '/spec', value: spec }] });
      return true;
    } catch (error) {
      if (codeOf(error) === 404) return false;
      throw error;
    }
  }
}
