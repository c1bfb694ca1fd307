import { isDeepStrictEqual } from 'node:util';
import type { JsonValue } from '@armorkit/core';
import { type PatchOperation, type PathSegment, toPointer } from './json-patch.js';

/**
 * Which op sets a member: `rfc6902` adds a missing member and replaces an existing one (what RFC 6902 requires);
 * `varmor` replaces always, as vArmor's webhook writes (the API server's JSON patch library adds a missing member
 * on replace, strict RFC 6902 libraries refuse it). Parents are added (`{}`, `[]`) the same way in both.
 */
export type OperationStyle = 'rfc6902' | 'varmor';

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Writes the operations that bring a document to a wanted state, applying each to a private copy as it goes, so the
 * next one sees its effect (a securityContext added once for two fields) and nothing that is already so is written.
 */
export class PatchWriter {
  readonly operations: PatchOperation[] = [];
  private readonly document: Record<string, unknown>;

  constructor(
    document: Record<string, unknown>,
    private readonly style: OperationStyle,
  ) {
    this.document = structuredClone(document);
  }

  /** The document with every operation written so far applied. */
  get patched(): Record<string, unknown> {
    return structuredClone(this.document);
  }

  /** The value at `path`, or undefined. */
  get(path: readonly PathSegment[]): unknown {
    let value: unknown = this.document;
    for (const segment of path) {
      if (Array.isArray(value) && typeof segment === 'number') value = value[segment];
      else if (isObject(value) && typeof segment === 'string' && Object.hasOwn(value, segment)) value = value[segment];
      else return undefined;
    }
    return value;
  }

  /** Makes every object on `path` exist, adding `{}` where one is missing (or null). */
  ensureObject(path: readonly PathSegment[]): void {
    for (let length = 1; length <= path.length; length++) {
      const at = path.slice(0, length);
      if (this.get(at) === undefined || this.get(at) === null) this.write('add', at, {});
    }
  }

  /** Sets the member at `path` to `value`, unless it already is `value`. */
  set(path: readonly PathSegment[], value: JsonValue): void {
    this.ensureObject(path.slice(0, -1));
    const current = this.get(path);
    if (isDeepStrictEqual(current, value)) return;
    this.write(this.style === 'rfc6902' && current === undefined ? 'add' : 'replace', path, value);
  }

  /** Appends `value` to the array at `path` (added as `[]` first when missing), unless an entry has its name. */
  appendNamed(path: readonly PathSegment[], value: JsonValue & { readonly name: string }): void {
    const current = this.get(path);
    if (Array.isArray(current) && current.some((entry) => isObject(entry) && entry.name === value.name)) return;
    if (!Array.isArray(current)) {
      this.ensureObject(path.slice(0, -1));
      this.write('add', path, []);
    }
    this.write('add', [...path, '-'], value);
  }

  private write(op: PatchOperation['op'], path: readonly PathSegment[], value: JsonValue): void {
    this.operations.push({ op, path: toPointer(path), value: structuredClone(value) });
    const parent = this.get(path.slice(0, -1));
    if (Array.isArray(parent)) parent.push(structuredClone(value));
    else if (isObject(parent)) parent[String(path.at(-1))] = structuredClone(value);
  }
}
