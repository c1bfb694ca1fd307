import { describe, expect, it } from 'vitest';
import { NameAddresses, systemResolveAll, type ResolveAll } from '../../src/proxy/name-addresses.js';

/** A resolver that answers from a table that the test changes, and counts its calls. */
function tableResolver(table: Record<string, string[]>): ResolveAll & { calls: string[] } {
  const calls: string[] = [];
  const resolve = async (name: string) => {
    calls.push(name);
    return table[name] ?? [];
  };
  return Object.assign(resolve, { calls });
}

describe('NameAddresses', () => {
  it('answers from the cache while the TTL lasts, then resolves again', async () => {
    let now = 1_000_000;
    const resolve = tableResolver({ 'api.example': ['10.0.0.1', 'fd00::1'] });
    const names = new NameAddresses({ ttlSeconds: 30, maxNames: 10, resolve }, () => now);
    expect(await names.verify('api.example', '10.0.0.1')).toEqual({ ok: true });
    // Cached: answered synchronously, no second lookup; IPv6 compared by value, not by text.
    expect(names.verify('api.example', 'fd00:0:0::1')).toEqual({ ok: true });
    expect(resolve.calls).toEqual(['api.example']);
    now += 31_000;
    expect(await names.verify('api.example', '10.0.0.1')).toEqual({ ok: true });
    expect(resolve.calls).toEqual(['api.example', 'api.example']);
  });

  it('resolves once more before refusing an address the cached answer lacks (round-robin DNS)', async () => {
    const table: Record<string, string[]> = { 'cdn.example': ['10.0.0.1'] };
    const resolve = tableResolver(table);
    const names = new NameAddresses({ ttlSeconds: 30, maxNames: 10, resolve });
    expect(await names.verify('cdn.example', '10.0.0.1')).toEqual({ ok: true });
    table['cdn.example'] = ['10.0.0.2'];
    expect(await names.verify('cdn.example', '10.0.0.2')).toEqual({ ok: true });
    expect(await names.verify('cdn.example', '10.9.9.9')).toEqual({ ok: false, addresses: ['10.0.0.2'] });
    expect(await names.verify('nowhere.example', '10.0.0.1')).toEqual({ ok: false, addresses: [] });
  });

  it('keeps at most maxNames names, dropping the oldest, and shares one lookup between concurrent checks', async () => {
    const resolve = tableResolver({ a: ['10.0.0.1'], b: ['10.0.0.2'], c: ['10.0.0.3'] });
    const names = new NameAddresses({ ttlSeconds: 30, maxNames: 2, resolve });
    await Promise.all([names.verify('a', '10.0.0.1'), names.verify('a', '10.0.0.1')]);
    expect(resolve.calls).toEqual(['a']);
    await names.verify('b', '10.0.0.2');
    await names.verify('c', '10.0.0.3');
    expect(names.size).toBe(2);
    expect(names.verify('a', '10.0.0.1')).toBeInstanceOf(Promise);
    expect(names.verify('c', '10.0.0.3')).toEqual({ ok: true });
  });

  it('compares an IP literal name with the destination without resolving', () => {
    const resolve = tableResolver({});
    const names = new NameAddresses({ ttlSeconds: 30, maxNames: 10, resolve });
    expect(names.verify('10.0.0.1', '10.0.0.1')).toEqual({ ok: true });
    expect(names.verify('fd00::1', 'fd00:0::1')).toEqual({ ok: true });
    expect(names.verify('10.0.0.1', '10.0.0.2')).toEqual({ ok: false, addresses: ['10.0.0.1'] });
    expect(resolve.calls).toEqual([]);
  });

  it('resolves with the system resolver (localhost from /etc/hosts)', async () => {
    const addresses = await systemResolveAll('localhost');
    expect(addresses).toContain('127.0.0.1');
    const names = new NameAddresses();
    expect(await names.verify('localhost', '127.0.0.1')).toEqual({ ok: true });
    expect(await names.verify('localhost', '10.255.255.1')).toMatchObject({ ok: false });
    expect(await systemResolveAll('no-such-name.invalid')).toEqual([]);
  });
});
