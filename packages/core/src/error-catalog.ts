import { type PolicyError, policyError } from './errors.js';

/** What an error code means, for people reading docs/errors.md (ESLint's `meta.messages`, declared once by id). */
export interface ErrorDeclaration {
  /** The condition and what to do about it, in a sentence or two. */
  description: string;
  /** `warning` for codes reported as warnings (compile still succeeds). Default `error`. */
  severity?: 'error' | 'warning';
}

/** The error codes one package raises, declared once; `error` makes a PolicyError with one of them. */
export interface ErrorCatalog<Code extends string = string> {
  /** The package that declares them (`@armorkit/plugin-apparmor`). */
  readonly owner: string;
  readonly codes: { readonly [C in Code]: ErrorDeclaration };
  error(code: Code, pointer: string, message: string, value?: unknown): PolicyError;
}

/** Declares a package's error codes (each once, with its meaning); the engine refuses one code in two catalogs. */
export function defineErrors<Code extends string>(owner: string, codes: { readonly [C in Code]: ErrorDeclaration }): ErrorCatalog<Code> {
  return Object.freeze({
    owner,
    codes: Object.freeze({ ...codes }),
    error: (code: Code, pointer: string, message: string, value?: unknown) => policyError(code, pointer, message, value),
  });
}

/** Every code of `catalogs` with the catalog that declares it; a code declared twice is a problem naming both owners. */
export function indexErrorCodes(catalogs: readonly ErrorCatalog[]): { owners: Map<string, string>; duplicates: string[] } {
  const owners = new Map<string, string>();
  const duplicates: string[] = [];
  for (const catalog of catalogs) {
    for (const code of Object.keys(catalog.codes)) {
      const owner = owners.get(code);
      if (owner !== undefined) duplicates.push(`error code "${code}" is declared by ${owner} and by ${catalog.owner}`);
      else owners.set(code, catalog.owner);
    }
  }
  return { owners, duplicates };
}
