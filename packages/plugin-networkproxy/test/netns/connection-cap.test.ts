// The connection cap, on a proxy of its own: connections over it are closed at accept; the open ones are untouched.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ProxyHarness } from './proxy-harness.js';

let harness: ProxyHarness;

beforeAll(async () => {
  harness = await ProxyHarness.start({ defaultAction: 'deny', rules: [{ qualifiers: ['allow'], ip: '10.77.0.2', ports: [{ port: 7 }] }] }, {}, { maxConnections: 2 });
}, 120_000);

afterAll(async () => {
  await harness?.close();
});

it('closes connections over --max-connections at once, and accepts again when one ends', async () => {
  const release = join(harness.signals, 'release');
  const held = ['first', 'second'].map((name) =>
    harness.raw('10.77.0.2', 7, [{ write: name }, { waitBytes: name.length }, { touch: join(harness.signals, name) }, { waitFile: release }, { end: true }], 20_000),
  );
  await harness.touched('first');
  await harness.touched('second');
  const third = await harness.raw('10.77.0.2', 7, [{ write: 'third' }, { wait: 300 }, { end: true }]);
  expect(third).toMatchObject({ received: '', closed: true });
  expect((await harness.admin('/stats')).stdout).toMatch(/^armorkit_proxy_connections_refused_total 1$/m);
  writeFileSync(release, '');
  expect((await Promise.all(held)).map((result) => result.received)).toEqual(['first', 'second']);
  const after = await harness.raw('10.77.0.2', 7, [{ write: 'again' }, { end: true }]);
  expect(after.received).toBe('again');
});
