import { fromPointer, toPointer } from '../errors.js';
import type { Position, SourceDocument } from '../source.js';

/**
 * One document standing for several (the policies of a combined set): its data is the list of the members' data, so
 * `/1/spec/file` is `/spec/file` of the second member, and errors are located in the member's own file and line.
 * A pointer above the members (``, `/7` past the end) is located at the first member's top.
 */
export function composeSources(members: readonly SourceDocument[]): SourceDocument {
  const first = members[0];
  if (!first) throw new TypeError('composeSources: no member documents');
  const member = (pointer: string): { source: SourceDocument; pointer: string } | undefined => {
    const [head, ...rest] = fromPointer(pointer);
    const source = head !== undefined && /^(0|[1-9][0-9]*)$/.test(head) ? members[Number(head)] : undefined;
    if (!source) return undefined;
    const inner = toPointer(rest);
    return source.member?.(inner) ?? { source, pointer: inner };
  };
  const at = <T>(pointer: string, find: (source: SourceDocument, inner: string) => T | undefined): T | undefined => {
    const found = member(pointer);
    return found ? find(found.source, found.pointer) : find(first, '');
  };
  return {
    file: first.file,
    index: first.index,
    data: members.map((one) => one.data),
    locate: (pointer) => at(pointer, (source, inner) => source.locate(inner)),
    locateKey: (pointer) => at(pointer, (source, inner) => source.locateKey(inner)),
    locateInText: (pointer: string, position: Position) => at(pointer, (source, inner) => source.locateInText?.(inner, position)),
    member,
  };
}
