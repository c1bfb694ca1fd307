import { describe, expect, it } from 'vitest';
import { bpfPatternProblem } from '../src/schema/varmor/bpf-path-pattern.js';
import { bpfRules, enhance, expectError, expectValid, load } from './varmor-helpers.js';

const BPF = '/spec/policy/enhanceProtect/bpfRawRules';

const fileRule = (list: 'files' | 'processes', pattern: string, permission = list === 'files' ? 'read' : 'exec') =>
  bpfRules(`${list}:\n- qualifiers: [deny]\n  pattern: ${JSON.stringify(pattern)}\n  permissions: [${permission}]`);
const mountRule = (sourcePattern: string) =>
  enhance(`privileged: true\nbpfRawRules:\n  mounts:\n  - qualifiers: [deny]\n    sourcePattern: ${JSON.stringify(sourcePattern)}\n    fstype: "*"\n    flags: [all]`);

describe('BPF path patterns that can never match are errors at the field', () => {
  const never: [string, RegExp][] = [
    ['etc/passwd', /is relative/],
    ['etc/**', /is relative/],
    ['passwd', /is relative/],
    ['/a/../x', /has a "\.\." component/],
    ['/etc/./passwd', /has a "\." component/],
    ['/etc/..', /has a "\.\." component/],
    ['**/../x', /has a "\.\." component/],
    ['/etc//passwd', /empty path component/],
    ['/etc/', /empty path component/],
    ['/tmp/**/', /empty path component/],
    ['//', /empty path component/],
    ['/etc/pass\0wd', /NUL byte/],
    ['\0', /NUL byte/],
  ];

  it.each(never)('files %j', (pattern, reason) => {
    const error = expectError(fileRule('files', pattern), { code: 'constraint', pointer: `${BPF}/files/0/pattern`, at: '^"', message: reason });
    expect(error.message).toContain(JSON.stringify(pattern));
  });

  it.each(never)('processes %j', (pattern, reason) => {
    expectError(fileRule('processes', pattern), { code: 'constraint', pointer: `${BPF}/processes/0/pattern`, at: '^"', message: reason });
  });

  it.each(never.filter(([pattern]) => pattern.includes('/') || pattern.includes('\0')))('mounts %j', (pattern, reason) => {
    expectError(mountRule(pattern), { code: 'constraint', pointer: `${BPF}/mounts/0/sourcePattern`, at: '^"', message: reason });
  });

  it('reports each bad pattern of a list at its own index', () => {
    const text = bpfRules('files:\n- {qualifiers: [deny], pattern: /ok, permissions: [read]}\n- {qualifiers: [deny], pattern: rel/x, permissions: [read]}\n- {qualifiers: [deny], pattern: /a/./b, permissions: [read]}');
    expect(load(text).errors.map((e) => e.pointer)).toEqual([`${BPF}/files/1/pattern`, `${BPF}/files/2/pattern`]);
  });
});

describe('patterns that can match stay valid', () => {
  it.each(['/', '/etc/passwd', '/**', '**', '**ping', '/**/sh', '/tmp/**/33', '/proc**', '/a/.hidden', '/a/..b', '**..', '*.log', 'conf*', '/dev/<disk-device>'])(
    'files %j',
    (pattern) => {
      expectValid(fileRule('files', pattern));
    },
  );

  // mount(2)'s source is matched as the caller gives it: a name without "/" (proc, tmpfs, overlay) is a real source.
  it.each(['proc', 'tmpfs', 'overlay', '**', '/dev/sd**', '/mnt/**'])('mounts %j', (pattern) => {
    expectValid(mountRule(pattern));
  });

  it('a mount source name is still refused as a file path, and "." or ".." is no source name', () => {
    expect(bpfPatternProblem('proc', 'path')).toMatch(/relative/);
    expect(bpfPatternProblem('proc', 'mount-source')).toBeUndefined();
    expect(bpfPatternProblem('..', 'mount-source')).toMatch(/"\.\." component/);
    expect(bpfPatternProblem('dev/sda', 'mount-source')).toMatch(/relative/);
  });
});
