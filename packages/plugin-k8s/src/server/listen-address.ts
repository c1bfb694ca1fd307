import { type AddressInfo, isIP, type Server as NetServer } from 'node:net';

export interface ListenAddress {
  host: string;
  port: number;
}

/**
 * `ADDR:PORT` (`127.0.0.1:3443`, `0.0.0.0:3443`, `[::1]:3443`) as given on the command line. The address is
 * required: a server binds only where it was told to. Port 0 picks a free port (tests).
 */
export function parseListenAddress(text: string): { address: ListenAddress } | { problem: string } {
  const match = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(text);
  if (!match) return { problem: `${JSON.stringify(text)} is not ADDR:PORT (for example 0.0.0.0:3443 or [::1]:3443)` };
  const host = match[1] ?? match[2]!;
  const port = Number(match[3]);
  if (port > 65535) return { problem: `${JSON.stringify(text)}: port ${port} is over 65535` };
  if (host !== 'localhost' && isIP(host) === 0) return { problem: `${JSON.stringify(text)}: ${JSON.stringify(host)} is not an IP address (or localhost)` };
  return { address: { host, port } };
}

/** `host:port` for messages, IPv6 in brackets. */
export function formatListenAddress(address: ListenAddress): string {
  return isIP(address.host) === 6 ? `[${address.host}]:${address.port}` : `${address.host}:${address.port}`;
}

/** Binds `server` to `address`; resolves to the address bound (the port chosen when 0 was asked) or to the problem. */
export function listenOn(server: NetServer, address: ListenAddress, what: string): Promise<{ address: ListenAddress } | { problem: string }> {
  return new Promise((resolve) => {
    const onError = (error: Error) => resolve({ problem: `cannot listen on ${formatListenAddress(address)} for ${what}: ${error.message}` });
    server.once('error', onError);
    server.listen(address.port, address.host, () => {
      server.off('error', onError);
      const bound = server.address() as AddressInfo;
      resolve({ address: { host: bound.address, port: bound.port } });
    });
  });
}
