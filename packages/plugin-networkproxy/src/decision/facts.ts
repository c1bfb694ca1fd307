// The contract between the decision table (compiled from a policy) and the proxy's data plane: what the proxy
// knows when it must decide, and what it is told. The table never sees a socket; the proxy never reads a rule.

/** The address the workload dialled (SO_ORIGINAL_DST), never a name from the traffic. */
export interface Destination {
  address: string;
  port: number;
  family: 4 | 6;
}

/** What the proxy has seen of a connection or request when it asks. */
export type TrafficFacts =
  /** Neither TLS nor HTTP (or not yet seen): L4 rules only. */
  | { layer: 'tcp'; destination: Destination }
  /** A TLS ClientHello (passthrough): L4 rules and the SNI against host rules. */
  | { layer: 'tls'; destination: Destination; serverName?: string; alpn?: string[] }
  /** One HTTP request (plain, or inside a MITM'd connection when `tls` is true): each request is judged on its own. */
  | {
      layer: 'http';
      destination: Destination;
      host?: string;
      method: string;
      path: string;
      tls: boolean;
      /** With `tls`: the `intercept` entry of the connection's decision; the Host must be that MITM domain. */
      mitmDomain?: string;
    };

/** The rule that decided, for audit events and `explain`. */
export interface DecidingRule {
  kind: 'l4' | 'http';
  /** Index in the policy's `rules` / `httpRules`. */
  index: number;
  /** JSON pointer of the rule in the policy document. */
  pointer: string;
  description?: string;
}

export interface Decision {
  action: 'allow' | 'deny';
  /** The decision must be reported as a ViolationEvent (vArmor's audit semantics). */
  audit: boolean;
  /** Absent when the default action decided. */
  rule?: DecidingRule;
  /**
   * The name (SNI or Host) an allow was granted for, when a host rule matched by name: the proxy must then check
   * that the destination is an address this name resolves to (spoofing protection) before it connects.
   */
  allowedByName?: string;
  /**
   * For TLS: the connection is to be intercepted (the mitm domain entry that matched, by server name or address):
   * terminate it and judge each request in it (layer http, tls true) rather than the connection.
   */
  intercept?: string;
}

/** A compiled decision table, ready to answer. Pure and synchronous: no I/O, no DNS. */
export interface Decider {
  /** The decision may be an object shared between calls (frozen): read it, do not change it. */
  decide(facts: TrafficFacts): Decision;
}
