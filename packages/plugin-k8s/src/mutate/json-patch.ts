import type { JsonValue } from '@armorkit/core';

/** One RFC 6902 operation of the patches the webhook writes (it only adds and replaces). */
export interface PatchOperation {
  op: 'add' | 'replace';
  path: string;
  value: JsonValue;
}

export type PathSegment = string | number;

/** RFC 6901: `~` → `~0`, `/` → `~1`, so a name with either stays one segment. */
export function escapePointerSegment(segment: PathSegment): string {
  return String(segment).replace(/~/g, '~0').replace(/\//g, '~1');
}

export function toPointer(path: readonly PathSegment[]): string {
  return path.map((segment) => `/${escapePointerSegment(segment)}`).join('');
}

/** JSON with vArmor's spacing (`{"a": 1, "b": [2, 3]}`), so our patches read, and diff, as vArmor's do. */
export function formatJson(value: JsonValue): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map((item: JsonValue) => formatJson(item)).join(', ')}]`;
  return `{${Object.entries(value).map(([key, item]) => `${JSON.stringify(key)}: ${formatJson(item)}`).join(', ')}}`;
}

/** The patch document as the webhook returns it (base64 of these bytes) and `armorkit k8s mutate` prints it. */
export function formatPatch(operations: readonly PatchOperation[]): string {
  return `[${operations.map((operation) => `{"op": ${JSON.stringify(operation.op)}, "path": ${JSON.stringify(operation.path)}, "value": ${formatJson(operation.value)}}`).join(',')}]`;
}
