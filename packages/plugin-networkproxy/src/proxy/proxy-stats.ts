// The proxy's counters, printed in Prometheus' text format on the admin port's /stats.

export type DecisionLayer = 'tcp' | 'tls' | 'http';
/** intercepted: a TLS connection terminated by the proxy, its requests decided one by one. */
export type DecisionOutcome = 'allowed' | 'denied' | 'audited' | 'intercepted';

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
  private readonly decisions = new Map<string, number>();
  private readonly protocolErrors = new Map<string, number>();

  decided(layer: DecisionLayer, outcome: DecisionOutcome): void {
    const key = `${layer}\u0000${outcome}`;
    this.decisions.set(key, (this.decisions.get(key) ?? 0) + 1);
  }

  protocolError(layer: DecisionLayer): void {
    this.protocolErrors.set(layer, (this.protocolErrors.get(layer) ?? 0) + 1);
  }

  /** Prometheus text exposition format 0.0.4, families sorted by name, labels sorted. */
  prometheus(): string {
    const lines: string[] = [];
    const family = (name: string, type: 'counter' | 'gauge', help: string, samples: Array<[string, number]>): void => {
      lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
      for (const [labels, value] of samples) lines.push(`${name}${labels} ${value}`);
    };
    const decisionSamples = [...this.decisions].sort(([a], [b]) => (a < b ? -1 : 1)).map(([key, value]): [string, number] => {
      const [layer, outcome] = key.split('\u0000');
      return [`{layer="${layer}",outcome="${outcome}"}`, value];
    });
    const errorSamples = [...this.protocolErrors].sort(([a], [b]) => (a < b ? -1 : 1)).map(([layer, value]): [string, number] => [`{layer="${layer}"}`, value]);
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
