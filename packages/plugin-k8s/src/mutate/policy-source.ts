import type { Engine, PolicyError, PolicyIR } from '@armorkit/core';

export interface ReadPolicies {
  policies: PolicyIR[];
  errors: PolicyError[];
}

/** Policies from YAML or JSON texts (a directory's files, offline); documents of other kinds are skipped. */
export function policiesFromTexts(engine: Engine, files: readonly { name: string; text: string }[]): ReadPolicies {
  const read: ReadPolicies = { policies: [], errors: [] };
  for (const file of files) {
    const outcome = engine.parse(file.text, file.name);
    read.policies.push(...outcome.policies);
    read.errors.push(...outcome.errors);
  }
  return read;
}

/** Policies from the objects an informer holds (plain JSON, as the API server sends them). */
export function policiesFromObjects(engine: Engine, objects: readonly unknown[]): ReadPolicies {
  return policiesFromTexts(
    engine,
    objects.map((object, index) => ({ name: `policy object ${index}`, text: JSON.stringify(object) })),
  );
}
