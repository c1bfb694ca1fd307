import { coreErrors } from '../core-errors.js';
import { fail, ok, type Result } from '../result.js';
import { type DynamicResult, dynamicResultSchema } from '../schema/varmor/armor-profile-model.js';

// Every list of a dynamicResult, as a path of keys: a chunk is a dynamicResult holding some entries of some lists.
const LISTS = [
  ['appArmor', 'profiles'],
  ['appArmor', 'executions'],
  ['appArmor', 'files'],
  ['appArmor', 'capabilities'],
  ['appArmor', 'networks', 'sockets'],
  ['appArmor', 'networks', 'egresses'],
  ['appArmor', 'ptraces'],
  ['appArmor', 'signals'],
  ['appArmor', 'mounts'],
  ['appArmor', 'unhandled'],
  ['bpf', 'executions'],
  ['bpf', 'files'],
  ['bpf', 'capabilities'],
  ['bpf', 'network', 'sockets'],
  ['bpf', 'network', 'egresses'],
  ['bpf', 'ptraces'],
  ['bpf', 'mounts'],
  ['seccomp', 'syscalls'],
] as const;

// What the keys and brackets of every list in one chunk take at most (`{"appArmor":{"networks":{"sockets":[...]}}}`).
const ENVELOPE_BYTES = 512;
const encoder = new TextEncoder();
const byteLength = (value: unknown) => encoder.encode(JSON.stringify(value)).length;
const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

function listAt(result: DynamicResult, keys: readonly string[]): readonly unknown[] {
  let value: unknown = result;
  for (const key of keys) value = isRecord(value) ? value[key] : undefined;
  return Array.isArray(value) ? value : [];
}

function pushAt(chunk: Record<string, unknown>, keys: readonly string[], entry: unknown): void {
  let into = chunk;
  for (const key of keys.slice(0, -1)) {
    const next = into[key];
    if (isRecord(next)) into = next;
    else into = into[key] = {};
  }
  const last = keys[keys.length - 1]!;
  const list = into[last];
  if (Array.isArray(list)) list.push(entry);
  else into[last] = [entry];
}

/**
 * A dynamicResult → results of at most `maxBytes` of JSON each (UTF-8), so that each fits in one Kubernetes object:
 * entries are packed in order, list by list. Merging the chunks (mergeDynamicResults) gives the result back, since a
 * merge is a union and no entry is cut. Pure and deterministic. An entry that alone exceeds the bound is an error
 * naming it.
 */
export function splitDynamicResult(result: DynamicResult, maxBytes: number): Result<DynamicResult[]> {
  const budget = maxBytes - ENVELOPE_BYTES;
  if (!Number.isInteger(maxBytes) || budget <= 0) {
    return fail([coreErrors.error('invalid-value', '', `a model chunk must be allowed more than ${ENVELOPE_BYTES} bytes, not ${maxBytes}`)]);
  }
  const chunks: Record<string, unknown>[] = [];
  let chunk: Record<string, unknown> = {};
  let used = 0;
  for (const keys of LISTS) {
    const entries = listAt(result, keys);
    for (const [index, entry] of entries.entries()) {
      // The entry and the comma before it.
      const size = byteLength(entry) + 1;
      if (size > budget) {
        return fail([coreErrors.error('constraint', `/data/dynamicResult/${keys.join('/')}/${index}`, `this model entry is ${size} bytes of JSON, more than a chunk of ${maxBytes} bytes holds`)]);
      }
      if (used + size > budget) {
        chunks.push(chunk);
        chunk = {};
        used = 0;
      }
      pushAt(chunk, keys, entry);
      used += size;
    }
  }
  if (used > 0 || chunks.length === 0) chunks.push(chunk);
  // Built from a DynamicResult's own entries, each chunk is one; read back through the schema all the same (no cast).
  const parsed: DynamicResult[] = [];
  for (const built of chunks) {
    const checked = dynamicResultSchema.safeParse(built);
    if (!checked.success) return fail([coreErrors.error('invalid-value', '/data/dynamicResult', checked.error.issues[0]?.message ?? 'invalid chunk')]);
    parsed.push(checked.data);
  }
  return ok(parsed);
}
