import type { PolicyError } from '../errors.js';
import { type ArmorProfileModel, armorProfileModelSchema } from '../schema/varmor/index.js';
import { readBlockYaml } from './block-yaml.js';
import { parseYamlStream } from './yaml-stream.js';
import { validateDocument } from './validate-document.js';

/**
 * ArmorProfileModel documents (`kubectl get armorprofilemodel NAME -o yaml`), by name — the profile name of the policy
 * they model. DefenseInDepth policies with profileType BehaviorModel are compiled from them.
 */
export function parseBehaviorModels(text: string, file: string): { models: Map<string, ArmorProfileModel>; errors: PolicyError[] } {
  const written = readWrittenModel(text);
  if (written) return { models: new Map([[written.metadata.name, written]]), errors: [] };
  const stream = parseYamlStream(text, file);
  const models = new Map<string, ArmorProfileModel>();
  const errors = [...stream.errors];
  for (const document of stream.documents) {
    const kind = (document.data as { kind?: unknown } | null)?.kind;
    if (kind !== 'ArmorProfileModel') {
      errors.push({
        code: 'not-a-model',
        pointer: '/kind',
        message: `expected kind ArmorProfileModel, found ${typeof kind === 'string' ? kind : 'no kind'}`,
        location: { file, document: document.index, ...document.locate('/kind') },
      });
      continue;
    }
    const { value, errors: problems } = validateDocument(document, armorProfileModelSchema);
    errors.push(...problems);
    if (value) models.set(value.metadata.name, value);
  }
  return { models, errors };
}

/**
 * A valid model in the YAML `formatModel` writes, read without the full parser (seconds for a large model); anything
 * else — another layout, or a model with problems — is undefined, and the full parser reads it with its positions.
 */
function readWrittenModel(text: string): ArmorProfileModel | undefined {
  const read = readBlockYaml(text);
  if (read === undefined) return undefined;
  const checked = armorProfileModelSchema.safeParse(read.value);
  return checked.success ? checked.data : undefined;
}
