import type { z } from 'zod';

/** Codes a schema check can give a problem; the zod-issue mapper turns them into `PolicyError.code`. */
export type CheckCode = 'constraint' | 'required' | 'invalid-value';

export type Report = (path: readonly (string | number)[], code: CheckCode, message: string) => void;

/** The members of an object under check; any member may still be malformed (checks run even when a member failed). */
export type Members = Readonly<Record<string, unknown>>;

/**
 * Adds a cross-field check to an object schema. The check runs whenever the value is an object, even if some
 * member already failed, so a document's problems are all reported at once; checks therefore read members
 * defensively (through `Members`) and report at a path relative to the object.
 */
export function withCheck<T extends z.ZodType>(schema: T, check: (members: Members, report: Report) => void): T {
  return schema.superRefine(
    (value, ctx) => {
      check(value as Members, (path, code, message) =>
        ctx.addIssue({ code: 'custom', path: [...path], message, params: { code } }),
      );
    },
    { when: (payload) => isRecord(payload.value) },
  );
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function asString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

export function asNumber(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

export function asArray(value: unknown): readonly unknown[] {
  return Array.isArray(value) ? value : [];
}

const bigintAsText = (_key: string, member: unknown): unknown => (typeof member === 'bigint' ? `${member}n` : member);

/** JSON text of any parsed value, bigints included (JSON.stringify throws on them); for keys and messages. */
export function jsonText(value: unknown): string {
  return JSON.stringify(value, bigintAsText) ?? String(value);
}

/** `"value"` quoted for messages, long values cut. */
export function quote(value: unknown): string {
  const text = typeof value === 'string' ? value : jsonText(value);
  return JSON.stringify(text.length > 80 ? `${text.slice(0, 77)}...` : text);
}
