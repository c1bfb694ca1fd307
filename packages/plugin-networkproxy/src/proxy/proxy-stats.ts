// The proxy's counters, printed in Prometheus' text format on the admin port's /stats.

export type DecisionLayer = 'tcp' | 'tls' | 'http';
/** intercepted: a TLS connection terminated by the proxy, its requests decided one by one. */
export type DecisionOutcome = 'allowed' | 'denied' | 'audited' | 'intercepted';

// In the order of their names, so that the exposition is sorted as it is read out.
const LAYERS: readonly DecisionLayer[] = ['http', 'tcp', 'tls'];
const OUTCOMES: readonly DecisionOutcome[] = ['allowed', 'audited', 'denied', 'intercepted'];
const LAYER_INDEX: Record<DecisionLayer, number> = { http: 0, tcp: 1, tls: 2 };
const OUTCOME_INDEX: Record<DecisionOutcome, number> = { allowed: 0, audited: 1, denied: 2, intercepted: 3 };

export class ProxyStats {
  connectionsTotal = 0;
  connectionsActive = 0;
  connectionsRefused = 0;
  requestsTotal = 0;
  bytesFromClients = 0;
  bytesFromUpstreams = 0;
  upstreamFailures = 0;
  spoofingRefused = 0;
  reloads = 0;
  /** Counts by layer × outcome (a decision is counted for every request: no key is built for it). */
  private readonly decisions = new Float64Array(LAYERS.length * OUTCOMES.length);
  private readonly protocolErrors = new Float64Array(LAYERS.length);

  decided(layer: DecisionLayer, outcome: DecisionOutcome): void {
    const index = LAYER_INDEX[layer] * OUTCOMES.length + OUTCOME_INDEX[outcome];
    this.decisions[index] = this.decisions[index]! + 1;
  }

  protocolError(layer: DecisionLayer): void {
    const index = LAYER_INDEX[layer];
    this.protocolErrors[index] = this.protocolErrors[index]! + 1;
  }

  /** Prometheus text exposition format 0.0.4, families sorted by name, labels sorted. */
  prometheus(): string {
    const lines: string[] = [];
    const family = (name: string, type: 'counter' | 'gauge', help: string, samples: Array<[string, number]>): void => {
      lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
      for (const [labels, value] of samples) lines.push(`${name}${labels} ${value}`);
    };
    // Only the combinations that happened, as before any was counted nothing is printed for them.
    const decisionSamples = LAYERS.flatMap((layer, l) =>
      OUTCOMES.flatMap((outcome, o): Array<[string, number]> => {
        const value = this.decisions[l * OUTCOMES.length + o] ?? 0;
        return value > 0 ? [[`{layer="${layer}",outcome="${outcome}"}`, value]] : [];
      }),
    );
    const errorSamples = LAYERS.flatMap((layer, l): Array<[string, number]> => {
      const value = this.protocolErrors[l] ?? 0;
      return value > 0 ? [[`{layer="${layer}"}`, value]] : [];
    });
    family('armorkit_proxy_bytes_total', 'counter', 'Bytes relayed, by direction.', [
      ['{direction="client_to_upstream"}', this.bytesFromClients],
      ['{direction="upstream_to_client"}', this.bytesFromUpstreams],
    ]);
    family('armorkit_proxy_connections_active', 'gauge', 'Client connections open now.', [['', this.connectionsActive]]);
    family('armorkit_proxy_connections_refused_total', 'counter', 'Client connections closed before a decision (cap reached, not redirected).', [['', this.connectionsRefused]]);
    family('armorkit_proxy_connections_total', 'counter', 'Client connections accepted.', [['', this.connectionsTotal]]);
    family('armorkit_proxy_decisions_total', 'counter', 'Decisions, by layer and outcome (audited: allowed and reported).', decisionSamples);
    family('armorkit_proxy_protocol_errors_total', 'counter', 'Connections or requests refused as malformed, by layer.', errorSamples);
    family('armorkit_proxy_reloads_total', 'counter', 'Configuration reloads applied.', [['', this.reloads]]);
    family('armorkit_proxy_requests_total', 'counter', 'HTTP requests read.', [['', this.requestsTotal]]);
    family('armorkit_proxy_spoofing_refused_total', 'counter', 'Allows refused because the destination is not an address of the allowed name.', [['', this.spoofingRefused]]);
    family('armorkit_proxy_upstream_failures_total', 'counter', 'Upstream connections that failed or timed out.', [['', this.upstreamFailures]]);
    return `${lines.join('\n')}\n`;
  }
}
