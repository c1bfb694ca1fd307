import { Counter, Histogram, Registry } from 'prom-client';

// Named after vArmor's manager metrics (varmor_admission_requests_total, varmor_mutated_requests,
// varmor_non_mutated_requests, varmor_webhook_latency; reference varmor.md §6.5) with armorkit's prefix and the
// Prometheus unit and `_total` suffixes.

/** Why the server refused a request before any handler saw it (the `reason` label). */
export type RefusalReason = 'not-found' | 'method' | 'content-type' | 'too-large' | 'malformed' | 'timeout';

export interface AdmissionObservation {
  webhook: string;
  operation: string;
  kind: string;
  allowed: boolean;
  /** Only for mutating webhooks: whether the response carries a patch. */
  mutated?: boolean;
  seconds: number;
}

// A kind is the client's word: beyond this many distinct ones, the rest share one label value, so a stream of
// invented kinds cannot grow the metrics without bound.
const MAX_KINDS = 64;
const KIND_PATTERN = /^[A-Za-z][A-Za-z0-9]{0,62}$/;

/** The webhook server's metrics in their own registry (two servers in one process do not share counters). */
export class AdmissionMetrics {
  readonly registry = new Registry();
  private readonly requests = new Counter({
    name: 'armorkit_admission_requests_total',
    help: 'Admission reviews answered, by webhook path, operation, object kind and verdict.',
    labelNames: ['webhook', 'operation', 'kind', 'allowed'] as const,
    registers: [this.registry],
  });
  private readonly mutated = new Counter({
    name: 'armorkit_mutated_requests_total',
    help: 'Reviews a mutating webhook answered with a patch.',
    labelNames: ['webhook'] as const,
    registers: [this.registry],
  });
  private readonly notMutated = new Counter({
    name: 'armorkit_non_mutated_requests_total',
    help: 'Reviews a mutating webhook answered without a patch (nothing to change, or refused).',
    labelNames: ['webhook'] as const,
    registers: [this.registry],
  });
  private readonly latency = new Histogram({
    name: 'armorkit_webhook_latency_seconds',
    help: 'Time from the request body read to the response written, by webhook path.',
    labelNames: ['webhook'] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  private readonly refused = new Counter({
    name: 'armorkit_admission_refused_requests_total',
    help: 'HTTP requests refused before reaching a webhook (unknown path, method, content type, size, malformed review, timeout).',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });
  private readonly kinds = new Set<string>();

  private kindLabel(kind: string): string {
    if (!KIND_PATTERN.test(kind)) return 'invalid';
    if (this.kinds.has(kind)) return kind;
    if (this.kinds.size >= MAX_KINDS) return 'other';
    this.kinds.add(kind);
    return kind;
  }

  observe(observation: AdmissionObservation): void {
    const { webhook } = observation;
    this.requests.inc({ webhook, operation: observation.operation, kind: this.kindLabel(observation.kind), allowed: String(observation.allowed) });
    if (observation.mutated === true) this.mutated.inc({ webhook });
    else if (observation.mutated === false) this.notMutated.inc({ webhook });
    this.latency.observe({ webhook }, observation.seconds);
  }

  refuse(reason: RefusalReason): void {
    this.refused.inc({ reason });
  }

  /** The Prometheus text exposition of every metric. */
  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
