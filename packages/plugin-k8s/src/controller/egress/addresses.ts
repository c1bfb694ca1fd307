import { resolvePods, resolveServices, type EgressSnapshot, type PodQuery, type Resolved, type ResolvedDestination, type ServiceQuery } from './resolve.js';

const EMPTY: EgressSnapshot = { services: [], endpointSlices: [], pods: [] };

/**
 * The egress resolver the controller gives plugin-bpf (`bpf({ resolver: addresses.resolver })`), and the record of
 * what each policy asked of it. Compile is synchronous, so a policy's queries are exactly those made inside
 * `track(policy, () => engine.compile(...))`; after the informers change, `update` says which policies' answers
 * changed — those, and only those, have their ArmorProfile re-rendered (vArmor's IPWatcher).
 */
export class EgressAddresses {
  private snapshot: EgressSnapshot = EMPTY;
  /** Per policy key: each query it made (as JSON) and the answer it got (as JSON). */
  private readonly recorded = new Map<string, Map<string, string>>();
  private current: string | undefined;

  /** Structurally plugin-bpf's BpfEgressResolver. */
  readonly resolver = {
    services: (query: ServiceQuery): Resolved<{ destinations: ResolvedDestination[] }> => this.record(`services ${JSON.stringify(query)}`, () => resolveServices(this.snapshot, query)),
    pods: (query: PodQuery): Resolved<{ addresses: string[] }> => this.record(`pods ${JSON.stringify(query)}`, () => resolvePods(this.snapshot, query)),
  };

  /** Runs a policy's compile, recording its queries (replacing what it asked before). */
  track<T>(policyKey: string, compile: () => T): T {
    const previous = this.current;
    this.current = policyKey;
    this.recorded.set(policyKey, new Map());
    try {
      return compile();
    } finally {
      this.current = previous;
    }
  }

  /** A deleted policy asks nothing any more. */
  forget(policyKey: string): void {
    this.recorded.delete(policyKey);
  }

  /** The policies that asked something, sorted. */
  policies(): string[] {
    return [...this.recorded.keys()].filter((key) => this.recorded.get(key)!.size > 0).sort();
  }

  /** Takes a new snapshot; returns the policies (sorted) whose recorded queries now resolve differently. */
  update(snapshot: EgressSnapshot): string[] {
    this.snapshot = snapshot;
    const changed: string[] = [];
    for (const [policy, queries] of this.recorded) {
      for (const [query, answer] of queries) {
        if (this.answer(query) !== answer) {
          changed.push(policy);
          break;
        }
      }
    }
    return changed.sort();
  }

  private answer(query: string): string {
    const space = query.indexOf(' ');
    const parsed: unknown = JSON.parse(query.slice(space + 1));
    const result = query.startsWith('services ') ? resolveServices(this.snapshot, parsed as ServiceQuery) : resolvePods(this.snapshot, parsed as PodQuery);
    return JSON.stringify(result);
  }

  private record<T>(query: string, resolve: () => T): T {
    const result = resolve();
    if (this.current !== undefined) this.recorded.get(this.current)!.set(query, JSON.stringify(result));
    return result;
  }
}
