// The patch types the API server accepts, applied to a stored object.
import fastJsonPatch from 'fast-json-patch';

export const MERGE_PATCH = 'application/merge-patch+json';
export const JSON_PATCH = 'application/json-patch+json';
export const STRATEGIC_MERGE_PATCH = 'application/strategic-merge-patch+json';
export const APPLY_PATCH = 'application/apply-patch+yaml';

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** RFC 7386: objects merge key by key, null removes, anything else (arrays too) replaces. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return structuredClone(patch);
  const result: Record<string, unknown> = isObject(target) ? structuredClone(target) : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = mergePatch(result[key], value);
  }
  return result;
}

/** RFC 6902 with every operation validated (a `test` that fails, or a path that is not there, refuses the whole patch). */
export function jsonPatch(target: Record<string, unknown>, operations: unknown): { ok: true; value: Record<string, unknown> } | { ok: false; message: string } {
  if (!Array.isArray(operations)) return { ok: false, message: 'a JSON patch must be an array of operations' };
  try {
    const applied = fastJsonPatch.applyPatch(structuredClone(target), structuredClone(operations) as fastJsonPatch.Operation[], true, false);
    return { ok: true, value: applied.newDocument };
  } catch (error) {
    return { ok: false, message: error instanceof Error ? error.message.split('\n')[0]! : String(error) };
  }
}
