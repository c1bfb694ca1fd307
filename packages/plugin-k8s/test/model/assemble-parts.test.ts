import { describe, expect, it } from 'vitest';
import { mergeDynamicResults } from '@armorkit/core/model';
import { assembleParts, mergeNodeParts } from '../../src/model/assemble-parts.js';
import { modelPartName } from '../../src/model/part-schema.js';

const TARGET = { namespace: 'demo', profileName: 'varmor-demo-web', session: '2026-12-01T10:00:00Z' };

function part(node: string | undefined, revision: number, index: number, count: number, syscalls: string[], extra: { final?: boolean; session?: string; files?: { path: string; owner: boolean; permissions: string[]; oldPath?: string }[] } = {}) {
  return {
    apiVersion: 'armorkit.dev/v1alpha1',
    kind: 'ArmorModelPart',
    metadata: { name: modelPartName(TARGET.profileName, node, index), namespace: 'demo' },
    spec: {
      profileName: TARGET.profileName,
      ...(node !== undefined ? { nodeName: node } : {}),
      session: extra.session ?? TARGET.session,
      revision,
      chunk: { index, count },
      final: extra.final ?? false,
      dynamicResult: { seccomp: { syscalls }, ...(extra.files ? { appArmor: { files: extra.files } } : {}) },
    },
  };
}

describe('assembleParts (the nodes\' chunks → each node\'s part)', () => {
  it('takes each source\'s newest revision once all its chunks are in; a revision being written is left out; other runs and profiles are ignored', () => {
    const objects = [
      part('node-a', 2, 0, 2, ['read'], { final: true }),
      part('node-a', 2, 1, 2, ['write'], { final: true }),
      // node-b is between two requests: chunk 0 of revision 3 is in, chunk 1 is still revision 2's.
      part('node-b', 3, 0, 2, ['openat']),
      part('node-b', 2, 1, 2, ['close']),
      part('node-c', 1, 0, 1, ['futex'], { session: '2026-11-01T00:00:00Z' }),
      part(undefined, 1, 0, 1, ['read', 'write'], { final: true }),
      { ...part('node-d', 1, 0, 1, ['x']), metadata: { name: 'other', namespace: 'shop' } },
    ];
    const assembled = assembleParts(objects, TARGET);
    expect([...assembled.nodes.keys()]).toEqual(['node-a']);
    expect(assembled.nodes.get('node-a')).toEqual({ revision: 2, count: 2, final: true, dynamicResult: { seccomp: { syscalls: ['read', 'write'] } } });
    expect(assembled.incomplete).toEqual(['node node-b']);
    expect(assembled.stored).toMatchObject({ revision: 1, count: 1, final: true });
    expect(assembled.invalid).toEqual([]);
  });

  it('gives the same merge in any order of the objects (nodes merged by name: the first oldPath is node-a\'s)', () => {
    const a = part('node-a', 1, 0, 1, ['read'], { final: true, files: [{ path: '/srv/x', owner: true, permissions: ['r'], oldPath: '/old/a' }] });
    const b = part('node-b', 1, 0, 1, ['write'], { final: true, files: [{ path: '/srv/x', owner: false, permissions: ['w'], oldPath: '/old/b' }] });
    const forward = mergeNodeParts(assembleParts([a, b], TARGET));
    expect(mergeNodeParts(assembleParts([b, a], TARGET))).toEqual(forward);
    expect(forward).toEqual(mergeDynamicResults(a.spec.dynamicResult, b.spec.dynamicResult));
    expect(forward.appArmor?.files).toEqual([{ path: '/srv/x', owner: false, permissions: ['r', 'w'], oldPath: '/old/a' }]);
  });

  it('names an object that is not an ArmorModelPart and the field at fault', () => {
    const bad = part('node-a', 1, 2, 1, ['read']);
    const typo = { ...part('node-b', 1, 0, 1, ['read']), spec: { ...part('node-b', 1, 0, 1, ['read']).spec, dynamicResult: { seccomp: { syscall: ['read'] } } } };
    const assembled = assembleParts([bad, typo], TARGET);
    expect(assembled.nodes.size).toBe(0);
    expect(assembled.invalid).toEqual([
      `ArmorModelPart ${modelPartName(TARGET.profileName, 'node-a', 2)}: /spec/chunk: chunk.index must be below chunk.count`,
      expect.stringMatching(new RegExp(`^ArmorModelPart ${modelPartName(TARGET.profileName, 'node-b', 0)}: /spec/dynamicResult/seccomp: .*syscall`)),
    ]);
  });
});
