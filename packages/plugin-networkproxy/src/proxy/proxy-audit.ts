// The proxy's denials and audited allows as ViolationEvents, with the fields vArmor's access logs carry.
import type { ViolationSink } from '@armorkit/core/audit';
import { violationEvent } from '@armorkit/core/audit';
import type { Decision, Destination, TrafficFacts } from '../decision/facts.js';

/** Why a connection or request was refused or reported. */
export type AuditReason =
  /** A rule or the default action decided. */
  | 'policy'
  /** A name-granted allow toward an address the name does not resolve to. */
  | 'spoofing'
  /** Bytes that are not the protocol they claim to be (refused before any rule could be asked). */
  | 'malformed'
  /** An intercepted connection whose upstream certificate is not valid for the name (or not trusted). */
  | 'upstream-unverified'
  /** Traffic the proxy cannot judge request by request (an intercepted connection with another ALPN, HTTP/2 CONNECT). */
  | 'unsupported';

export interface Peer {
  address: string;
  port: number;
}

export interface AuditRecord {
  facts: TrafficFacts;
  decision: Decision;
  reason: AuditReason;
  client: Peer;
  /** What the proxy did in the end: a spoofed allow becomes a deny. */
  action: 'allow' | 'deny';
  detail?: string;
}

/** `10.0.0.1:80`, `[fd00::1]:443`. */
export function destinationText(destination: Destination): string {
  return destination.family === 6 ? `[${destination.address}]:${destination.port}` : `${destination.address}:${destination.port}`;
}

export class ProxyAudit {
  constructor(
    private readonly sink: ViolationSink | undefined,
    private readonly profileName: string,
    private readonly now: () => number = Date.now,
  ) {}

  /** Writes the event when the record is a denial or an audited decision; returns whether it did. */
  report(record: AuditRecord): boolean {
    if (!this.sink || (record.action === 'allow' && !record.decision.audit)) return false;
    const { facts, decision } = record;
    const event: Record<string, unknown> = {
      layer: facts.layer,
      destination: destinationText(facts.destination),
      destinationIP: facts.destination.address,
      destinationPort: facts.destination.port,
      sourceIP: record.client.address,
      sourcePort: record.client.port,
    };
    if (facts.layer === 'tls') {
      if (facts.serverName !== undefined) event.serverName = facts.serverName;
      if (facts.alpn) event.alpn = facts.alpn;
    } else if (facts.layer === 'http') {
      if (facts.host !== undefined) event.host = facts.host;
      event.method = facts.method;
      event.path = facts.path;
      event.tls = facts.tls;
    }
    event.action = record.action;
    event.reason = record.reason;
    if (decision.rule) {
      event.rule = decision.rule.pointer;
      event.ruleKind = decision.rule.kind;
      if (decision.rule.description !== undefined) event.ruleDescription = decision.rule.description;
    } else if (record.reason === 'policy') {
      event.rule = 'defaultAction';
    }
    if (decision.allowedByName !== undefined) event.allowedByName = decision.allowedByName;
    if (record.detail !== undefined) event.detail = record.detail;
    this.sink.write(
      violationEvent({
        eventTimestamp: Math.floor(this.now() / 1000),
        enforcer: 'NetworkProxy',
        action: record.action === 'deny' ? 'DENIED' : 'AUDIT',
        profileName: this.profileName,
        event,
      }),
    );
    return true;
  }

  close(): Promise<void> {
    return this.sink?.close() ?? Promise.resolve();
  }
}
