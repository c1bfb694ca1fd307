import type { Engine, PolicyError, PolicyIR } from '@armorkit/core';
import { formatPolicyError } from '@armorkit/core';
import type { KubernetesObject } from '@kubernetes/client-node';
import { policiesFromObjects } from '../mutate/policy-source.js';

interface Parsed {
  resourceVersion: string;
  policies: PolicyIR[];
}

const keyOf = (object: KubernetesObject) => `${object.kind ?? ''}/${object.metadata?.namespace ?? ''}/${object.metadata?.name ?? ''}`;

/**
 * The policies of the objects an informer holds, parsed once per resourceVersion: an unchanged object keeps its
 * parsed policy (and the mutating webhook its resolved plan); one that does not parse is skipped, logged once.
 */
export class ParsedPolicies {
  private readonly parsed = new Map<string, Parsed>();

  constructor(
    private readonly engine: Engine,
    private readonly log: (line: string) => void,
  ) {}

  /** Brings the cache to `objects` (all of one informer) and returns their policies. */
  update(objects: readonly KubernetesObject[]): PolicyIR[] {
    const seen = new Set<string>();
    const policies: PolicyIR[] = [];
    for (const object of objects) {
      const key = keyOf(object);
      seen.add(key);
      const resourceVersion = object.metadata?.resourceVersion ?? '';
      let entry = this.parsed.get(key);
      if (!entry || entry.resourceVersion !== resourceVersion) {
        const read = policiesFromObjects(this.engine, [object]);
        if (read.errors.length > 0) this.skipped(key, resourceVersion, read.errors);
        entry = { resourceVersion, policies: read.errors.length > 0 ? [] : read.policies };
        this.parsed.set(key, entry);
      }
      policies.push(...entry.policies);
    }
    for (const key of this.parsed.keys()) if (!seen.has(key)) this.parsed.delete(key);
    return policies;
  }

  private skipped(key: string, resourceVersion: string, errors: readonly PolicyError[]): void {
    this.log(`${key} (resourceVersion ${resourceVersion || 'none'}) is skipped: ${errors.map(formatPolicyError).join('; ')}`);
  }
}
