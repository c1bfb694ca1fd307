import type { z } from 'zod';

type AnySchema = z.core.$ZodType;

interface Def {
  type: string;
  shape?: Record<string, AnySchema>;
  innerType?: AnySchema;
  in?: AnySchema;
  element?: AnySchema;
  valueType?: AnySchema;
  options?: readonly AnySchema[];
  left?: AnySchema;
  right?: AnySchema;
  getter?: () => AnySchema;
}

const defOf = (schema: AnySchema): Def => schema._zod.def as unknown as Def;

/** The object schemas `schema` can be once wrappers (optional, pipe, lazy, ...) and unions are looked through. */
function objectsOf(schema: AnySchema, depth = 0): Def[] {
  if (depth > 32) return [];
  const def = defOf(schema);
  switch (def.type) {
    case 'object':
      return [def];
    case 'optional':
    case 'nullable':
    case 'default':
    case 'prefault':
    case 'readonly':
    case 'nonoptional':
    case 'catch':
      return def.innerType ? objectsOf(def.innerType, depth + 1) : [];
    case 'pipe':
      return def.in ? objectsOf(def.in, depth + 1) : [];
    case 'lazy':
      return def.getter ? objectsOf(def.getter(), depth + 1) : [];
    case 'union':
      return (def.options ?? []).flatMap((option) => objectsOf(option, depth + 1));
    case 'intersection':
      return [def.left, def.right].flatMap((side) => (side ? objectsOf(side, depth + 1) : []));
    default:
      return [];
  }
}

function childSchemas(schema: AnySchema, segment: PropertyKey, depth = 0): AnySchema[] {
  if (depth > 32) return [];
  const def = defOf(schema);
  switch (def.type) {
    case 'object': {
      // Own members only: a user's key `constructor` or `__proto__` must not find Object.prototype's.
      const child = typeof segment === 'string' && def.shape && Object.hasOwn(def.shape, segment) ? def.shape[segment] : undefined;
      return child ? [child] : [];
    }
    case 'array':
      return typeof segment === 'number' && def.element ? [def.element] : [];
    case 'record':
      return def.valueType ? [def.valueType] : [];
    case 'optional':
    case 'nullable':
    case 'default':
    case 'prefault':
    case 'readonly':
    case 'nonoptional':
    case 'catch':
      return def.innerType ? childSchemas(def.innerType, segment, depth + 1) : [];
    case 'pipe':
      return def.in ? childSchemas(def.in, segment, depth + 1) : [];
    case 'lazy':
      return def.getter ? childSchemas(def.getter(), segment, depth + 1) : [];
    case 'union':
      return (def.options ?? []).flatMap((option) => childSchemas(option, segment, depth + 1));
    case 'intersection':
      return [def.left, def.right].flatMap((side) => (side ? childSchemas(side, segment, depth + 1) : []));
    default:
      return [];
  }
}

/** The field names an object at `path` may have according to `root`, sorted; empty when unknown. */
export function knownKeysAt(root: AnySchema, path: readonly PropertyKey[]): string[] {
  let schemas: AnySchema[] = [root];
  for (const segment of path) schemas = schemas.flatMap((schema) => childSchemas(schema, segment));
  const keys = new Set(schemas.flatMap((schema) => objectsOf(schema).flatMap((def) => Object.keys(def.shape ?? {}))));
  return [...keys].sort();
}
