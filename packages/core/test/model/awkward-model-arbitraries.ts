import fc from 'fast-check';
import type { ArmorProfileModel } from '../../src/entries/schema.js';
import { modelDocument } from '../../src/entries/model.js';

// Strings YAML treats specially when plain: the core schema's other types, indicators, comments, quotes, spaces.
const awkward = fc.constantFrom(
  'true', 'True', 'FALSE', 'null', 'Null', '~', '', '123', '-1', '+1', '007', '-0', '0x1f', '0o17', '1e5', '.5', '1.', '.inf', '-.Inf', '.nan',
  '9007199254740993', '10.96.0.1', '::1', 'a: b', 'a:b', 'key:', 'a #b', 'a#b', '#a', ' lead', 'trail ', "it's", 'say "hi"', `both ' and "`,
  `'single'`, '"double"', '- x', '-x', '--', '? x', ':x', '[a]', '{a: 1}', '[]', '{}', ',a', '@x', '`x', '%x', '&a', '*a', '!t', '|', '>-', 'a\\b',
  '\\"', '...', '---', 'é', '日本語', '😀', 'a\tb', 'a\nb', 'a\r\nb', '\u0085', '\u2028', '\ufeff', '\u0000', 'http://x:80/y', '<<', '=',
);
const awkwardChars = fc.constantFrom(' ', ':', '#', '"', "'", '\\', '-', '?', '.', '0', '1', 'e', 'a', 'B', '_', '+', '=', '~', '<', '/', '[', '{', ',', '&', '*', '!', '|', '>', '%', '@', '\t', '\n', 'é', '😀');
/** Any string, often one YAML must quote, escape or write as a block. */
export const awkwardText = fc.oneof(awkward, fc.string({ unit: awkwardChars, maxLength: 8 }), fc.string({ unit: 'grapheme', maxLength: 8 }), fc.string({ maxLength: 8 }));
/** Any JSON-shaped value (and undefined, which stringify leaves out or writes as null), its strings and keys awkward. */
export const jsonShaped: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    awkwardText,
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    fc.constant(undefined),
    fc.array(tie('value'), { maxLength: 3 }),
    fc.dictionary(fc.oneof(awkwardText, fc.constantFrom('a', 'b', 'true', 'null', '1', '__proto__', 'constructor', '<<')), tie('value'), { maxKeys: 3 }),
  ),
})).value;

const strings = fc.array(awkwardText, { maxLength: 4 });

/** A model whose every string may be awkward (the shape is the schema's; the values are anything a string can hold). */
export const awkwardModel: fc.Arbitrary<ArmorProfileModel> = fc
  .record({
    name: awkwardText,
    namespace: fc.option(awkwardText, { nil: undefined }),
    labels: fc.option(fc.dictionary(fc.oneof(awkwardText, fc.constantFrom('app.kubernetes.io/name', 'true', 'null', '__proto__', 'a b')), awkwardText, { maxKeys: 3 }), { nil: undefined }),
    executions: strings,
    files: fc.array(fc.record({ path: awkwardText, owner: fc.boolean(), permissions: strings, oldPath: awkwardText }, { requiredKeys: ['path', 'permissions'] }), { maxLength: 3 }),
    sockets: fc.array(fc.record({ domain: awkwardText, type: awkwardText, protocol: awkwardText }), { maxLength: 2 }),
    egresses: fc.array(fc.record({ ip: awkwardText, ports: fc.array(fc.integer({ min: 0, max: 65535 }), { maxLength: 3 }) }, { requiredKeys: ['ip'] }), { maxLength: 2 }),
    syscalls: fc.option(strings, { nil: undefined }),
    completed: fc.nat(5),
  })
  .map(({ name, namespace, labels, executions, files, sockets, egresses, syscalls, completed }) => {
    const model = modelDocument({
      profileName: name,
      ...(namespace === undefined ? {} : { namespace }),
      dynamicResult: { appArmor: { executions, files, networks: { sockets, egresses } }, bpf: { files }, ...(syscalls ? { seccomp: { syscalls } } : {}) },
      completed,
    });
    return labels === undefined ? model : { ...model, metadata: { ...model.metadata, labels } };
  });

