import { describe, expect, it } from 'vitest';
import { formatPolicyError } from '../src/errors.js';
import { parseYamlStream } from '../src/parse/yaml-stream.js';
import { validateVarmorDocument } from '../src/parse/validate-document.js';
import { dedent, load, policyDocument, positionOf } from './varmor-helpers.js';

describe('parseYamlStream', () => {
  it('maps pointers to values and keys', () => {
    const text = dedent(`
      a: 1
      b:
        c: [1, 2]
        d:
      e: &anchor {f: 1}
      g: *anchor
    `);
    const [doc] = parseYamlStream(text, 'f.yaml').documents;
    expect(doc!.locate('/a')).toEqual({ line: 1, column: 4 });
    expect(doc!.locateKey('/a')).toEqual({ line: 1, column: 1 });
    expect(doc!.locate('/b/c/1')).toEqual({ line: 3, column: 10 });
    // An empty value sits right after its key's colon.
    expect(doc!.locate('/b/d')).toEqual({ line: 4, column: 5 });
    expect(doc!.locateKey('/b/d')).toEqual({ line: 4, column: 3 });
    // Through an alias, positions are those of the anchored node.
    expect(doc!.locate('/g/f')).toEqual({ line: 5, column: 16 });
    // A missing member points at its nearest existing ancestor.
    expect(doc!.locate('/b/missing/deeper')).toEqual({ line: 3, column: 3 });
    expect(doc!.locateKey('/b/missing')).toEqual({ line: 3, column: 3 });
  });

  it('skips empty documents and keeps stream indexes', () => {
    const stream = parseYamlStream('---\n# only a comment\n---\n~\n---\na: 1\n', 's.yaml');
    expect(stream.errors).toEqual([]);
    expect(stream.documents.map((d) => [d.index, d.data])).toEqual([[2, { a: 1 }]]);
  });

  it('reads JSON', () => {
    const text = JSON.stringify({ apiVersion: 'crd.varmor.org/v1beta1', kind: 'VarmorPolicy', metadata: { name: 'j' }, spec: { target: { kind: 'Pod', name: 'p' }, policy: { enforcer: 'BPF', mode: 'Always' } } }, null, 2);
    const { errors } = load(text, 'p.json');
    expect(errors.map((e) => [e.pointer, e.location?.line, e.location?.column])).toEqual([['/spec/policy/mode', positionOf(text, '"mode": ^"Always"').line, positionOf(text, '"mode": ^"Always"').column]]);
  });

  it.each([
    ['bad indentation', 'a:\n  b: 1\n c: 2\n', 3],
    ['duplicate keys', 'a: 1\nb: 2\na: 3\n', 3],
    ['tabs as indentation', 'a:\n\tb: 1\n', 2],
    ['unterminated strings', 'a: "open\nb: 2\n', 3],
    ['unclosed flow collections', 'a: [1, 2\n', 2],
  ])('reports %s as yaml-syntax with a position', (_, text, line) => {
    const stream = parseYamlStream(text, 'bad.yaml');
    expect(stream.documents).toEqual([]);
    expect(stream.errors.length).toBeGreaterThan(0);
    for (const error of stream.errors) {
      expect(error.code).toBe('yaml-syntax');
      expect(error.location?.file).toBe('bad.yaml');
      expect(error.location?.column).toBeGreaterThan(0);
    }
    expect(stream.errors.map((e) => e.location?.line)).toContain(line);
  });

  it('stops alias bombs', () => {
    const levels = ['a: &a ["x","x","x","x","x","x","x","x","x","x"]'];
    for (let i = 1; i < 8; i++) {
      const prev = String.fromCharCode(96 + i);
      levels.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(10).fill(`*${prev}`).join(',')}]`);
    }
    const stream = parseYamlStream(levels.join('\n'), 'bomb.yaml');
    expect(stream.documents).toEqual([]);
    expect(stream.errors).toMatchObject([{ code: 'yaml-syntax', message: expect.stringMatching(/alias/i) }]);
  });

  it('refuses absurdly deep flow nesting before the parser sees it', () => {
    const stream = parseYamlStream(`a: ${'['.repeat(50_000)}`, 'deep.yaml');
    expect(stream.errors).toMatchObject([{ code: 'yaml-syntax', location: { line: 1, column: 1004 } }]);
  });

  it('keeps a broken document from hiding the others', () => {
    const stream = parseYamlStream('a: 1\n---\nb: [\n---\nc: 3\n', 'm.yaml');
    expect(stream.documents.map((d) => d.data)).toEqual([{ a: 1 }, { c: 3 }]);
    expect(stream.errors.every((e) => e.location?.document === 1)).toBe(true);
  });
});

describe('positions in multi-document streams', () => {
  it('puts errors of document 2 on their own lines', () => {
    const deployment = dedent(`
      apiVersion: apps/v1
      kind: Deployment
      metadata:
        name: web
      spec:
        replicas: 1
    `);
    const first = policyDocument('enforcer: BPF\nmode: AlwaysAllow');
    const second = policyDocument('enforcer: BPF\nmode: EnhanceProtect\nenhanceProtect:\n  bpfRawRules:\n    network:\n      egress:\n        toDestinations:\n        - qualifiers: [deny]\n          ip: 10.0.0.1\n          ports: [{port: 443, endPort: 80}]');
    const text = `${deployment}\n---\n${first}---\n${second}`;
    const { errors, policies } = load(text, 'multi.yaml');
    expect(policies).toHaveLength(1);
    expect(errors).toHaveLength(1);
    const endPort = positionOf(text, 'endPort: ^80');
    expect(errors[0]).toMatchObject({
      code: 'constraint',
      pointer: '/spec/policy/enhanceProtect/bpfRawRules/network/egress/toDestinations/0/ports/0/endPort',
      location: { file: 'multi.yaml', document: 2, ...endPort },
    });
    expect(endPort.line).toBeGreaterThan(first.split('\n').length + deployment.split('\n').length);
    expect(formatPolicyError(errors[0]!)).toBe(
      `multi.yaml:${endPort.line}:${endPort.column}: /spec/policy/enhanceProtect/bpfRawRules/network/egress/toDestinations/0/ports/0/endPort: endPort 80 is less than port 443`,
    );
  });
});

describe('validateVarmorDocument', () => {
  const one = (text: string) => validateVarmorDocument(parseYamlStream(text, 'x.yaml').documents[0]!);

  it('skips other Kubernetes objects', () => {
    expect(one('apiVersion: v1\nkind: Secret\nmetadata: {name: s}\nstringData: {a: b}\n')).toEqual({ errors: [] });
  });

  it('names the vArmor kind a typo meant', () => {
    const result = one('apiVersion: crd.varmor.org/v1beta1\nkind: VarmorPolcy\n');
    expect(result.errors).toMatchObject([{ code: 'invalid-value', pointer: '/kind', message: expect.stringContaining('"VarmorPolicy"') }]);
  });

  it('requires a kind and a mapping', () => {
    expect(one('apiVersion: v1\n').errors).toMatchObject([{ code: 'required', pointer: '/kind' }]);
    expect(one('- a\n- b\n').errors).toMatchObject([{ code: 'invalid-type', pointer: '' }]);
  });

  it('checks ArmorProfile documents without returning a policy', () => {
    const text = dedent(`
      apiVersion: crd.varmor.org/v1beta1
      kind: ArmorProfile
      metadata: {name: varmor-demo-web, namespace: demo}
      spec:
        target: {kind: Deployment, name: web}
        profile:
          name: varmor-demo-web
          enforcer: BPF
          mode: enforce
          bpf:
            files: [{mode: 1, permissions: 4, pattern: {flags: 5, prefix: /etc/shadow}}]
    `);
    expect(one(text)).toEqual({ errors: [] });
    expect(one(text.replace('mode: enforce', 'mode: enforcing')).errors).toMatchObject([{ pointer: '/spec/profile/mode' }]);
  });

  it('checks ArmorProfileModel documents', () => {
    const text = dedent(`
      apiVersion: crd.varmor.org/v1beta1
      kind: ArmorProfileModel
      metadata: {name: varmor-demo-web, namespace: demo}
      storageType: CRDInternal
      data:
        dynamicResult:
          seccomp: {syscalls: [read, write]}
          bpf: {files: [{path: /etc/hosts, permissions: [read]}]}
      status: {ready: true, desiredNumber: 1, completedNumber: 1}
    `);
    expect(one(text)).toEqual({ errors: [] });
    expect(one(text.replace('CRDInternal', 'Disk')).errors).toMatchObject([{ code: 'invalid-value', pointer: '/storageType' }]);
  });
});
