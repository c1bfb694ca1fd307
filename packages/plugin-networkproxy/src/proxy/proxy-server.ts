// The transparent listener: one socket per address family on proxyPort (IPV6_V6ONLY, so each accepted socket's
// conntrack entry is of its listener's family), and the table new connections are judged by (reloadable).
import { createServer, type Server, type Socket } from 'node:net';
import type { ViolationSink } from '@armorkit/core/audit';
import type { Decider } from '../decision/facts.js';
import { handleConnection } from './connection.js';
import { IdleSweep } from './idle-sweep.js';
import type { MitmRuntime } from './mitm/mitm-runtime.js';
import { DEFAULT_NAME_CHECK, NameAddresses, type NameCheckOptions } from './name-addresses.js';
import { ProxyAudit } from './proxy-audit.js';
import { DEFAULT_LIMITS, type ConnectionContext, type ProxyLimits } from './proxy-context.js';
import { ProxyStats } from './proxy-stats.js';

export interface ProxyServerOptions {
  port: number;
  /**
   * Listen addresses; default `127.0.0.1` and `::1` (the latter skipped when the host has no IPv6): REDIRECT sends
   * locally generated traffic to the loopback address of its family, so nothing else needs to reach the listener.
   */
  hosts?: string[];
  decider: Decider;
  limits?: Partial<ProxyLimits>;
  /** Spoofing protection; `false` turns it off. */
  nameCheck?: Partial<NameCheckOptions> | false;
  audit: { sink?: ViolationSink; profileName: string };
  /** TLS interception (the decider's mitm domains): the CA's leaves, upstream trust, header mutations. */
  mitm?: MitmRuntime;
}

/** Where REDIRECT delivers locally generated connections (iptables-extensions: 127.0.0.1, ::1). */
export const DEFAULT_LISTEN_ADDRESSES = ['127.0.0.1', '::1'] as const;

export interface ListeningAddress {
  address: string;
  port: number;
  family: 4 | 6;
}

export class ProxyServer {
  readonly stats = new ProxyStats();
  private context: ConnectionContext;
  private readonly servers: Server[] = [];
  readonly addresses: ListeningAddress[] = [];
  private readonly audit: ProxyAudit;
  private readonly sockets = new Set<Socket>();

  private constructor(private readonly options: ProxyServerOptions) {
    const limits = { ...DEFAULT_LIMITS, ...options.limits };
    this.audit = new ProxyAudit(options.audit.sink, options.audit.profileName);
    const names = options.nameCheck === false ? undefined : new NameAddresses({ ...DEFAULT_NAME_CHECK, ...options.nameCheck });
    this.context = { decider: options.decider, limits, names, audit: this.audit, stats: this.stats, idle: new IdleSweep(limits.idleTimeoutMs), mitm: options.mitm };
  }

  static async start(options: ProxyServerOptions): Promise<ProxyServer> {
    const proxy = new ProxyServer(options);
    await proxy.listen(options.hosts ?? [...DEFAULT_LISTEN_ADDRESSES]);
    return proxy;
  }

  /** New connections are judged by `decider`; open ones keep the table they started with. */
  reload(decider: Decider, mitm: MitmRuntime | undefined = this.context.mitm): void {
    this.context = { ...this.context, decider, mitm };
    this.stats.reloads++;
  }

  get limits(): ProxyLimits {
    return this.context.limits;
  }

  private async listen(hosts: string[]): Promise<void> {
    const defaults = this.options.hosts === undefined;
    for (const host of hosts) {
      const family = host.includes(':') ? 6 : 4;
      const server = createServer({ allowHalfOpen: true, pauseOnConnect: false, noDelay: true }, (socket) => {
        if (this.stats.connectionsActive >= this.context.limits.maxConnections) {
          this.stats.connectionsRefused++;
          socket.destroy();
          return;
        }
        this.sockets.add(socket);
        socket.once('close', () => this.sockets.delete(socket));
        // The context at accept: a reload does not change the table of a connection already open.
        handleConnection(socket, family, this.context);
      });
      server.on('error', () => undefined);
      try {
        await new Promise<void>((resolve, reject) => {
          server.once('error', reject);
          server.listen({ host, port: this.options.port, ipv6Only: family === 6 }, () => {
            server.off('error', reject);
            resolve();
          });
        });
      } catch (error) {
        // A host without IPv6 still proxies IPv4 when the addresses were not chosen explicitly.
        const code = error instanceof Error && 'code' in error ? error.code : undefined;
        if (defaults && family === 6 && (code === 'EAFNOSUPPORT' || code === 'EADDRNOTAVAIL')) continue;
        await this.close();
        throw error;
      }
      const bound = server.address();
      if (bound && typeof bound === 'object') this.addresses.push({ address: bound.address, port: bound.port, family });
      this.servers.push(server);
    }
  }

  /** Stops accepting, then closes the connections still open and flushes the audit sink. */
  async close(): Promise<void> {
    const closed = Promise.all(this.servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
    for (const socket of this.sockets) socket.destroy();
    this.context.idle.stop();
    await closed;
    this.servers.length = 0;
    await this.audit.close();
  }
}
