import type { PolicyError } from '../errors.js';
import type { SourceDocument } from '../source.js';

/** Gives errors that only have a pointer the file and line:column of their document. */
export function locateErrors(errors: readonly PolicyError[], source: SourceDocument): PolicyError[] {
  return errors.map((error) => {
    if (error.location?.line !== undefined) return error;
    const inText = error.textPosition ? source.locateInText?.(error.pointer, error.textPosition) : undefined;
    const position = inText ?? (error.code === 'unknown-field' ? source.locateKey(error.pointer) : source.locate(error.pointer));
    return { ...error, location: { file: source.file, document: source.index, ...position } };
  });
}
