import { type DynamicResult, mergeDynamicResults } from '@armorkit/core/model';
import { armorModelPartSchema, type ModelPartSpec } from './part-schema.js';

/** One source's part (a node's, or the controller's stored model), whole. */
export interface AssembledPart {
  revision: number;
  /** Its chunks. */
  count: number;
  final: boolean;
  dynamicResult: DynamicResult;
}

export interface AssembledParts {
  /** By node name, sorted; the controller's stored model under `undefined` is `stored`. */
  nodes: Map<string, AssembledPart>;
  stored?: AssembledPart;
  /** Sources whose newest write is not all there yet (being written): counted when it is. */
  incomplete: string[];
  /** Objects that are not ArmorModelParts as the schema says, each with the field at fault. */
  invalid: string[];
}

const sourceOf = (spec: ModelPartSpec) => spec.nodeName ?? '';

/**
 * The part objects of one profile's modelling run (namespace, profile, session) → each source's part, whole: the
 * chunks of its newest revision, all of them, merged. A source whose newest revision lacks a chunk (its writer is
 * between two requests) is left out until it is complete. Pure; the same objects in any order give the same result.
 */
export function assembleParts(objects: readonly unknown[], target: { namespace: string; profileName: string; session: string }): AssembledParts {
  const bySource = new Map<string, ModelPartSpec[]>();
  const invalid: string[] = [];
  for (const object of objects) {
    const parsed = armorModelPartSchema.safeParse(object);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      invalid.push(`${nameOf(object)}: /${(issue?.path ?? []).map(String).join('/')}: ${issue?.message ?? 'invalid'}`);
      continue;
    }
    const { metadata, spec } = parsed.data;
    if (metadata.namespace !== target.namespace || spec.profileName !== target.profileName || spec.session !== target.session) continue;
    const source = sourceOf(spec);
    const specs = bySource.get(source) ?? [];
    specs.push(spec);
    bySource.set(source, specs);
  }
  const nodes = new Map<string, AssembledPart>();
  const incomplete: string[] = [];
  let stored: AssembledPart | undefined;
  for (const source of [...bySource.keys()].sort()) {
    const specs = bySource.get(source)!;
    const revision = Math.max(...specs.map((spec) => spec.revision));
    const newest = specs.filter((spec) => spec.revision === revision);
    const count = newest[0]!.chunk.count;
    const chunks = new Map(newest.filter((spec) => spec.chunk.count === count).map((spec) => [spec.chunk.index, spec]));
    if (chunks.size !== count) {
      incomplete.push(source === '' ? 'the stored model' : `node ${source}`);
      continue;
    }
    const ordered = [...chunks.keys()].sort((a, b) => a - b).map((index) => chunks.get(index)!);
    const part: AssembledPart = { revision, count, final: ordered.every((spec) => spec.final), dynamicResult: mergeDynamicResults(...ordered.map((spec) => spec.dynamicResult)) };
    if (source === '') stored = part;
    else nodes.set(source, part);
  }
  return { nodes, ...(stored ? { stored } : {}), incomplete, invalid: invalid.sort() };
}

function nameOf(object: unknown): string {
  const metadata = typeof object === 'object' && object !== null && 'metadata' in object ? object.metadata : undefined;
  const name = typeof metadata === 'object' && metadata !== null && 'name' in metadata ? metadata.name : undefined;
  return `ArmorModelPart ${typeof name === 'string' ? name : '(no name)'}`;
}

/** The nodes' parts merged in node-name order (so which `oldPath` wins does not depend on who wrote first). */
export function mergeNodeParts(parts: AssembledParts): DynamicResult {
  return mergeDynamicResults(...[...parts.nodes.values()].map((part) => part.dynamicResult));
}
