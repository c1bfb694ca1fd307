// A composed document (the policies of a combined set): pointers `/k/...` are located in member k's own file.
import { describe, expect, it } from 'vitest';
import { composeSources, locateErrors, parseYamlStream, policyError } from '../src/index.js';

const member = (file: string, text: string) => {
  const [document] = parseYamlStream(text, file).documents;
  if (!document) throw new Error('no document');
  return document;
};

describe('composeSources', () => {
  const a = member('a.yaml', 'kind: A\nspec:\n  rules:\n    - one\n');
  const b = member('b.yaml', 'kind: B\nspec:\n  rules:\n    - two\n    - three\n');
  const composed = composeSources([a, b]);

  it('holds the members as a list, each pointer in its member', () => {
    expect(composed.data).toEqual([a.data, b.data]);
    expect(composed.member?.('/1/spec/rules/1')).toEqual({ source: b, pointer: '/spec/rules/1' });
    expect(composed.locate('/1/spec/rules/1')).toEqual(b.locate('/spec/rules/1'));
    expect(composed.member?.('/2/spec')).toBeUndefined();
    expect(composed.member?.('/01/spec')).toBeUndefined();
  });

  it('errors name the member\'s file, line and its own pointer; one above the members is at the first', () => {
    const located = locateErrors([policyError('x', '/1/spec/rules/1', 'bad'), policyError('y', '', 'whole set')], composed);
    expect(located.map((error) => [error.location?.file, error.location?.line, error.location?.column, error.pointer])).toEqual([
      ['b.yaml', 5, 7, '/spec/rules/1'],
      ['a.yaml', 1, 1, ''],
    ]);
  });

  it('members may be composed themselves', () => {
    const outer = composeSources([a, composed]);
    expect(outer.member?.('/1/1/spec')).toEqual({ source: b, pointer: '/spec' });
  });

  it('needs a member', () => {
    expect(() => composeSources([])).toThrow(TypeError);
  });
});
