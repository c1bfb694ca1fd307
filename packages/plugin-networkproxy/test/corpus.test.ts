import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { errorsOf } from '@armorkit/core';
import { describe, expect, it } from 'vitest';
import { parseProxyConfig } from '../src/config/proxy-config.js';
import { networkProxyTester } from './support/tester.js';

const CORPUS = new URL('../../../../shared/corpus/varmor/', import.meta.url).pathname;
const files = readdirSync(CORPUS).filter((name) => /^(ex7__|e2e-networkproxy__)/.test(name));
const tester = networkProxyTester();

describe('the vArmor corpus policies that use NetworkProxy', () => {
  it('are the 13 of the corpus', () => {
    expect(files).toHaveLength(13);
  });

  it.each(files)('%s compiles to its golden proxy configuration', (name) => {
    const yaml = readFileSync(join(CORPUS, name), 'utf8');
    const policies = tester.parse(yaml, name);
    expect(policies).toHaveLength(1);
    const out = tester.compileResult(yaml, 'NetworkProxy', { file: name });
    expect(errorsOf(out)).toEqual([]);
    expect(out.warnings).toEqual([]);
    if (!out.ok) return;
    const content = out.value.files[0]!.content;
    // Same input, same bytes; and the proxy reads back exactly what compile wrote.
    const again = tester.compileResult(yaml, 'NetworkProxy', { file: name });
    expect(again.ok && again.value.files[0]!.content).toBe(content);
    const read = parseProxyConfig(content, name);
    expect(errorsOf(read)).toEqual([]);
    expect(read.ok && read.value).toEqual(out.value.data);
    tester.assertGolden(`${name.replace(/\.yaml$/, '')}.networkproxy.json`, content);
  });
});
