import type { PolicyError } from '../errors.js';
import type { SourceDocument } from '../source.js';

/**
 * Gives errors that only have a pointer the file and line:column of their document. In a composed document (a
 * combined set of policies) the error names the member's file and its pointer inside that member.
 */
export function locateErrors(errors: readonly PolicyError[], source: SourceDocument): PolicyError[] {
  return errors.map((error) => {
    if (error.location?.line !== undefined) return error;
    const found = source.member?.(error.pointer);
    const document = found?.source ?? source;
    const pointer = found?.pointer ?? error.pointer;
    const inText = error.textPosition ? document.locateInText?.(pointer, error.textPosition) : undefined;
    const position = inText ?? (error.code === 'unknown-field' ? document.locateKey(pointer) : document.locate(pointer));
    return { ...error, pointer, location: { file: document.file, document: document.index, ...position } };
  });
}
