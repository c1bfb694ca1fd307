import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '@armorkit/core';
import { loadEngine } from '../src/default-engine.js';
import { networkProxyDemo } from '../src/demo/networkproxy-step.js';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));
let engine: Engine;
beforeAll(async () => {
  engine = (await loadEngine({ cwd: REPO })).engine;
});

describe("the demo's NetworkProxy step (host, root)", { timeout: 60_000 }, () => {
  it('prints the run, the allowed answer, the denial and its event in the order they happen, and leaves nothing', async () => {
    const lines: string[] = [];
    const behaved = await networkProxyDemo(engine, REPO, { cwd: REPO, out: (text) => lines.push(text), err: (text) => lines.push(`stderr: ${text}`) });
    expect(behaved).toBe(true);
    const at = (pattern: RegExp) => lines.findIndex((line) => pattern.test(line));
    const order = [/NetworkProxy: network namespace armorkit-run-/, /^ {2}upstream saw GET \/public\/hello$/, /^ {2}armorkit: access denied$/, /event {2}NetworkProxy DENIED +http GET 198\.51\.100\.10\/private/, /^ {2}ok: /];
    const positions = order.map(at);
    expect(positions.every((position) => position >= 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    expect(lines.some((line) => line.startsWith('stderr:'))).toBe(false);
    expect(execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' })).not.toMatch(/armorkit-run-|aku-/);
  });
});
