import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { INTERNAL_ERROR_EXIT } from '../../src/entries/proxy.js';

const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const FIXTURE = new URL('./fixtures/fault-after-listen.ts', import.meta.url).pathname;

describe('the proxy process after an uncaught exception', () => {
  it('logs an error event, closes its sockets and exits 70 instead of running on', () => {
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    const run = spawnSync(process.execPath, ['--conditions=source', '--import', TSX, FIXTURE, String(port), String(port + 1)], { encoding: 'utf8', timeout: 30_000 });
    expect(run.status).toBe(INTERNAL_ERROR_EXIT);
    const lines = run.stderr.trim().split('\n');
    expect(lines[0]).toBe('listening');
    const event = JSON.parse(lines[1]!) as Record<string, unknown>;
    expect(event).toMatchObject({ level: 'error', error: 'a bug in a handler', message: 'armorkit proxy internal error; exiting' });
    expect(String(event.stack)).toContain('fault-after-listen.ts');
    expect(lines[2]).toBe(`served: ${INTERNAL_ERROR_EXIT}`);
  });
});
