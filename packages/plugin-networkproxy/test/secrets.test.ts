import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { errorsOf } from '@armorkit/core';
import { afterAll, describe, expect, it } from 'vitest';
import { firstSecretSource, resolveHeaderSecrets, secretsFromDirectory, secretsFromEnvironment, secretVariable } from '../src/config/secrets.js';
import { networkProxyTester } from './support/tester.js';

const CORPUS = new URL('../../../../shared/corpus/varmor/', import.meta.url).pathname;
const config = networkProxyTester().compile(readFileSync(join(CORPUS, 'ex7__mitm-dns-secret.yaml'), 'utf8'), 'NetworkProxy').data;
const directory = mkdtempSync(join(tmpdir(), 'akc-secrets-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

describe('secretRef header values', () => {
  it('stay references in the compiled configuration', () => {
    expect(config.mitm?.headerMutations[0]?.headers).toEqual([{ name: 'Authorization', secretRef: { name: 'openai-credentials', key: 'api-key' } }]);
  });

  it('come from a Secret volume layout (one final newline dropped)', () => {
    mkdirSync(join(directory, 'openai-credentials'));
    writeFileSync(join(directory, 'openai-credentials', 'api-key'), 'Bearer sk-test\n');
    const resolved = resolveHeaderSecrets(config, secretsFromDirectory(directory));
    expect(resolved.ok && resolved.value.mitm?.headerMutations[0]?.headers).toEqual([{ name: 'Authorization', value: 'Bearer sk-test' }]);
  });

  it('or from the environment, the first source that has them winning', () => {
    expect(secretVariable({ name: 'openai-credentials', key: 'api-key' })).toBe('ARMORKIT_SECRET_OPENAI_CREDENTIALS_API_KEY');
    const environment = { ARMORKIT_SECRET_OPENAI_CREDENTIALS_API_KEY: 'from-env' };
    const resolved = resolveHeaderSecrets(config, firstSecretSource(secretsFromDirectory(join(directory, 'missing')), secretsFromEnvironment(environment)));
    expect(resolved.ok && resolved.value.mitm?.headerMutations[0]?.headers[0]).toEqual({ name: 'Authorization', value: 'from-env' });
  });

  it('missing, or not a header value, is an error naming the secret, never its value', () => {
    const missing = resolveHeaderSecrets(config, secretsFromEnvironment({}));
    expect(errorsOf(missing).map((e) => `${e.code} ${e.pointer}`)).toEqual(['networkproxy-secret-unresolved /mitm/headerMutations/0/headers/0/secretRef']);
    expect(errorsOf(missing)[0]?.message).toContain('ARMORKIT_SECRET_OPENAI_CREDENTIALS_API_KEY is not set');
    const hostile = resolveHeaderSecrets(config, secretsFromEnvironment({ ARMORKIT_SECRET_OPENAI_CREDENTIALS_API_KEY: 'token\r\nX-Evil: yes' }));
    expect(errorsOf(hostile).map((e) => e.code)).toEqual(['networkproxy-invalid-header']);
    expect(errorsOf(hostile)[0]?.message).not.toContain('token');
  });
});

describe('header mutations that would reframe a request', () => {
  it('are refused when the configuration is read, with the pointer of the name', async () => {
    const { parseProxyConfig, formatProxyConfig } = await import('../src/config/proxy-config.js');
    const mitm = { domains: ['api.test'], headerMutations: [{ domain: 'api.test', headers: [{ name: 'X-Fine', value: 'a' }, { name: 'Transfer-Encoding', value: 'chunked' }] }] };
    const text = formatProxyConfig({ ...config, mitm: { domains: ['api.test'], headerMutations: [] } }).replace('"headerMutations": []', `"headerMutations": ${JSON.stringify(mitm.headerMutations)}`);
    const parsed = parseProxyConfig(text, 'proxy.json');
    expect(errorsOf(parsed).map((error) => [error.pointer, error.message])).toEqual([
      ['/mitm/headerMutations/0/headers/1/name', 'header "Transfer-Encoding" frames the message or steers the connection; a header mutation cannot set it'],
    ]);
  });
});
