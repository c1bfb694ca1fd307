// What a connection's handlers share: the decision table in force when it was accepted, limits, counters, audit.
import type { Decider } from '../decision/facts.js';
import type { HeadLimits } from './http-request-head.js';
import type { IdleSweep } from './idle-sweep.js';
import type { MitmRuntime } from './mitm/mitm-runtime.js';
import type { NameAddresses } from './name-addresses.js';
import type { ProxyAudit } from './proxy-audit.js';
import type { ProxyStats } from './proxy-stats.js';

export interface ProxyLimits extends HeadLimits {
  /** Client connections open at once; more are closed at accept. */
  maxConnections: number;
  /** A client that sends nothing for this long is judged on L4 rules alone (server-first protocols). */
  detectTimeoutMs: number;
  /** A ClientHello or a request head must be complete this long after its first byte (slowloris). */
  headerTimeoutMs: number;
  /** A connection with no traffic either way for this long is closed. */
  idleTimeoutMs: number;
  upstreamConnectTimeoutMs: number;
  /** Requests forwarded on one connection whose responses have not come yet; reading pauses beyond. */
  maxPipelinedRequests: number;
}

export const DEFAULT_LIMITS: ProxyLimits = {
  maxHeadBytes: 32 * 1024,
  maxHeaderCount: 100,
  maxConnections: 10_000,
  detectTimeoutMs: 1_000,
  headerTimeoutMs: 10_000,
  idleTimeoutMs: 300_000,
  upstreamConnectTimeoutMs: 10_000,
  maxPipelinedRequests: 64,
};

export interface ConnectionContext {
  decider: Decider;
  limits: ProxyLimits;
  /** Absent when spoofing protection is off. */
  names: NameAddresses | undefined;
  audit: ProxyAudit;
  stats: ProxyStats;
  /** Closes connections idle for limits.idleTimeoutMs (one timer for all of them). */
  idle: IdleSweep;
  /** Absent when the configuration intercepts nothing. */
  mitm: MitmRuntime | undefined;
}
