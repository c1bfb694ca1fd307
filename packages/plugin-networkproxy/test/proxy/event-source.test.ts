import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileSink, type ViolationEvent } from '@armorkit/core/audit';
import { afterEach, describe, expect, it } from 'vitest';
import { openProxyEventSource } from '../../src/proxy/event-source.js';
import { ProxyAudit } from '../../src/proxy/proxy-audit.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const destination = { address: '10.0.0.9', port: 443, family: 4 as const };
const client = { address: '10.0.0.1', port: 40000 };

describe('openProxyEventSource', () => {
  it('reads back the events the proxy wrote, then the ones appended while following', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'armorkit-np-events-'));
    dirs.push(dir);
    const path = join(dir, 'networkproxy.log');
    const audit = new ProxyAudit(fileSink({ path }), 'web', () => 1_700_000_000_000);
    audit.report({ facts: { layer: 'tls', destination, serverName: 'evil.example' }, decision: { action: 'deny', audit: true }, reason: 'policy', client, action: 'deny' });
    audit.report({
      facts: { layer: 'http', destination: { ...destination, port: 80 }, host: 'api.example', method: 'GET', path: '/x', tls: false },
      decision: { action: 'allow', audit: true, rule: { kind: 'http', index: 0, pointer: '/spec/policy/x/httpRules/0' } },
      reason: 'policy',
      client,
      action: 'allow',
    });
    // An allow without audit is not an event.
    audit.report({ facts: { layer: 'tcp', destination }, decision: { action: 'allow', audit: false }, reason: 'policy', client, action: 'allow' });
    await audit.close();
    appendFileSync(path, '{"level":"warn","code":"x","message":"a reader warning"}\nnot json\n');

    const source = await openProxyEventSource(path);
    if (!source.ok) throw new Error(JSON.stringify(source.errors));
    const read: ViolationEvent[] = [];
    for await (const event of source.value.events({ follow: false })) read.push(event);
    expect(read).toMatchObject([
      { enforcer: 'NetworkProxy', action: 'DENIED', profileName: 'web', eventTimestamp: 1_700_000_000, event: { layer: 'tls', serverName: 'evil.example', rule: 'defaultAction' } },
      { action: 'AUDIT', event: { layer: 'http', host: 'api.example', method: 'GET', path: '/x', rule: '/spec/policy/x/httpRules/0' } },
    ]);

    const controller = new AbortController();
    const followed: ViolationEvent[] = [];
    const following = (async () => {
      for await (const event of source.value.events({ follow: true, signal: controller.signal })) {
        followed.push(event);
        if (followed.length === 3) controller.abort();
      }
    })();
    const later = new ProxyAudit(fileSink({ path }), 'web');
    later.report({ facts: { layer: 'tcp', destination }, decision: { action: 'deny', audit: true }, reason: 'spoofing', client, action: 'deny' });
    await later.close();
    await following;
    expect(followed.map((event) => event.event.layer)).toEqual(['tls', 'http', 'tcp']);
    source.value.close();
  });

  it('says why when the events file is missing', async () => {
    const result = await openProxyEventSource('/nonexistent/networkproxy.log');
    expect(result).toMatchObject({ ok: false, errors: [{ code: 'networkproxy-events-unreadable', message: expect.stringContaining('/nonexistent/networkproxy.log') }] });
  });
});
