import { LineCounter, isAlias, isCollection, isMap, isPair, isScalar, isSeq, parseAllDocuments, visit } from 'yaml';
import type { Document, Node, Pair, Scalar } from 'yaml';
import { fromPointer, type PolicyError } from '../errors.js';
import type { ParsedStream, Position, SourceDocument } from '../source.js';

/** Aliases expanded per document; plenty for real policies, and it stops "billion laughs" streams. */
const MAX_ALIAS_COUNT = 100;
/** The yaml lexer exhausts memory (a fatal, uncatchable error) on tens of thousands of nested `[`; no policy nests this deep. */
const MAX_FLOW_DEPTH = 1000;

type ParsedDocument = Document.Parsed;

/**
 * Splits a YAML (or JSON) stream into documents that remember where every value came from.
 * Syntax problems come back as `yaml-syntax` errors; this function never throws.
 */
export function parseYamlStream(text: string, file: string): ParsedStream {
  const lineCounter = new LineCounter();
  const errors: PolicyError[] = [];
  const documents: SourceDocument[] = [];
  const positionAt = (offset: number): Position => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };

  const tooDeep = flowDepthOffset(text, MAX_FLOW_DEPTH);
  if (tooDeep !== undefined) {
    const message = `flow collections ([ ] / { }) are nested more than ${MAX_FLOW_DEPTH} levels deep`;
    return { documents, errors: [syntaxError(file, 0, positionInText(text, tooDeep), message)] };
  }

  let parsed: ParsedDocument[];
  try {
    // Integers come as bigint so that a uint64 past 2^53 stays exact; exactIntegers turns the others back into numbers.
    // YAML 1.1 tags (!!binary, !!set, !!omap, !!timestamp) stay plain scalars and collections: the data is JSON-shaped,
    // as the API server's JSON is, never a Buffer, Set, Map or Date.
    const options = { lineCounter, prettyErrors: false, uniqueKeys: true, intAsBigInt: true, resolveKnownTags: false };
    parsed = Array.from(parseAllDocuments(text, options) as Iterable<ParsedDocument>);
  } catch (error) {
    // The parser itself gave up (e.g. nesting deep enough to exhaust the stack).
    return { documents, errors: [syntaxError(file, 0, { line: 1, column: 1 }, describe(error))] };
  }

  parsed.forEach((doc, index) => {
    if (doc.errors.length > 0) {
      for (const problem of doc.errors) {
        errors.push(syntaxError(file, index, positionAt(problem.pos[0]), `${problem.message} (${problem.code})`));
      }
      return;
    }
    if (isEmptyDocument(doc)) return;
    const collectionKey = firstCollectionKey(doc);
    if (collectionKey !== undefined) {
      // toJS would stringify the key (and print a warning); no Kubernetes object has such a key.
      errors.push(syntaxError(file, index, positionAt(collectionKey), 'a mapping key is a list or a mapping; keys must be plain scalars'));
      return;
    }
    let data: unknown;
    try {
      data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT, reviver: exactIntegers });
    } catch (error) {
      const start = doc.contents?.range?.[0] ?? 0;
      errors.push(syntaxError(file, index, positionAt(start), describe(error)));
      return;
    }
    documents.push(sourceDocument(file, index, doc, data, positionAt, text));
  });
  return { documents, errors };
}

/** Offset of the first key that is a collection (`? [a]: b`, `{[a]: b}`), if any. */
function firstCollectionKey(doc: ParsedDocument): number | undefined {
  let offset: number | undefined;
  visit(doc, {
    Pair(_key, pair) {
      const key = isAlias(pair.key) ? pair.key.resolve(doc) : pair.key;
      if (isCollection(key)) {
        offset = (isAlias(pair.key) ? pair.key : key).range?.[0] ?? 0;
        return visit.BREAK;
      }
      return undefined;
    },
  });
  return offset;
}

/** A YAML integer as a number when it is exact as one, else the bigint (only uint64 fields accept those). */
function exactIntegers(_key: unknown, value: unknown): unknown {
  if (typeof value !== 'bigint') return value;
  return value >= MIN_SAFE && value <= MAX_SAFE ? Number(value) : value;
}
const MIN_SAFE = BigInt(Number.MIN_SAFE_INTEGER);
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

function sourceDocument(
  file: string,
  index: number,
  doc: ParsedDocument,
  data: unknown,
  positionAt: (offset: number) => Position,
  text: string,
): SourceDocument {
  const nodePosition = (node: Node | null | undefined): Position | undefined =>
    node?.range ? positionAt(node.range[0]) : undefined;
  return {
    file,
    index,
    data,
    locate(pointer) {
      const walk = walkPointer(doc, pointer);
      return nodePosition(walk.node) ?? nodePosition(walk.pair?.key as Node | undefined) ?? nodePosition(walk.ancestor);
    },
    locateKey(pointer) {
      const walk = walkPointer(doc, pointer);
      if (walk.pair && walk.complete) {
        const keyPosition = nodePosition(walk.pair.key as Node | undefined);
        if (keyPosition) return keyPosition;
      }
      return nodePosition(walk.node) ?? nodePosition(walk.ancestor);
    },
    locateInText(pointer, at) {
      const walk = walkPointer(doc, pointer);
      const offset = walk.complete && isScalar(walk.node) ? offsetInScalar(text, walk.node, at) : undefined;
      return offset === undefined ? undefined : positionAt(offset);
    },
  };
}

/**
 * The offset in `text` of line `at.line`, column `at.column` of a string scalar's value: for a `|` block, its
 * lines are the document's lines after the header, less the block's indentation; for a one-line plain or quoted
 * scalar, the value follows its start (and quote). Undefined when the source does not hold the value's line as is.
 */
function offsetInScalar(text: string, node: Scalar, at: Position): number | undefined {
  const value = typeof node.value === 'string' ? node.value : undefined;
  const start = node.range?.[0];
  if (value === undefined || start === undefined) return undefined;
  const wanted = value.split('\n')[at.line - 1];
  if (wanted === undefined) return undefined;
  if (node.type === 'BLOCK_LITERAL') {
    let lineStart = text.indexOf('\n', start) + 1;
    for (let k = 1; k < at.line && lineStart > 0; k++) lineStart = text.indexOf('\n', lineStart) + 1;
    if (lineStart <= 0) return undefined;
    const lineEnd = text.indexOf('\n', lineStart);
    const line = text.slice(lineStart, lineEnd < 0 ? text.length : lineEnd);
    const indent = line.length - wanted.length;
    return indent >= 0 && line.slice(indent) === wanted && line.slice(0, indent).trim() === '' ? lineStart + indent + at.column - 1 : undefined;
  }
  if (at.line !== 1 || value.includes('\n')) return undefined;
  const quote = node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE' ? 1 : 0;
  return text.startsWith(value, start + quote) ? start + quote + at.column - 1 : undefined;
}

interface Walk {
  /** The node at the pointer when `complete`; otherwise undefined. */
  node?: Node | null;
  /** The map entry holding the last segment, when the last segment is a map key. */
  pair?: Pair;
  /** The deepest node reached. */
  ancestor?: Node;
  complete: boolean;
}

function walkPointer(doc: ParsedDocument, pointer: string): Walk {
  let current = resolveAlias(doc, doc.contents);
  let ancestor: Node | undefined = current ?? undefined;
  let pair: Pair | undefined;
  const segments = fromPointer(pointer);
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i]!;
    pair = undefined;
    let next: Node | null | undefined;
    if (isMap(current)) {
      const found = current.items.find((item) => keyText(item) === segment);
      if (!found) return { ancestor, complete: false };
      pair = found;
      next = resolveAlias(doc, found.value as Node | null);
    } else if (isSeq(current) && /^(0|[1-9][0-9]*)$/.test(segment)) {
      const item = current.items[Number(segment)];
      if (item === undefined) return { ancestor, complete: false };
      next = resolveAlias(doc, item as Node | null);
    } else {
      return { ancestor, complete: false };
    }
    if (next) ancestor = next;
    current = next ?? null;
    if (!next && i < segments.length - 1) return { ancestor, pair, complete: false };
  }
  return { node: current, pair, ancestor, complete: true };
}

function keyText(pair: Pair): string | undefined {
  const key = pair.key;
  if (isScalar(key)) return String(key.value);
  if (key === null || key === undefined) return '';
  return typeof key === 'object' ? undefined : String(key);
}

function resolveAlias(doc: ParsedDocument, node: Node | null | undefined): Node | null {
  let current = node ?? null;
  // An alias can point at another alias; the yaml library has already rejected cycles.
  for (let hops = 0; hops < 16 && isAlias(current); hops++) {
    current = (current.resolve(doc) as Node | undefined) ?? null;
  }
  return isPair(current) ? null : current;
}

/** Offset of the first bracket that opens level `limit + 1`, counting brackets naively (quotes ignored: a safe overestimate). */
export function flowDepthOffset(text: string, limit: number): number | undefined {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const char = text.charCodeAt(i);
    if (char === 0x5b || char === 0x7b) {
      depth++;
      if (depth > limit) return i;
    } else if ((char === 0x5d || char === 0x7d) && depth > 0) {
      depth--;
    }
  }
  return undefined;
}

/** Line and column of an offset, for problems found before the parser (and its LineCounter) ran. */
function positionInText(text: string, offset: number): Position {
  const before = text.slice(0, offset);
  const lineStart = before.lastIndexOf('\n') + 1;
  return { line: before.split('\n').length, column: offset - lineStart + 1 };
}

function isEmptyDocument(doc: ParsedDocument): boolean {
  const contents = doc.contents;
  return contents === null || (isScalar(contents) && contents.value === null);
}

function syntaxError(file: string, document: number, position: Position, message: string): PolicyError {
  return {
    code: 'yaml-syntax',
    pointer: '',
    message,
    location: { file, document, line: position.line, column: position.column },
  };
}

function describe(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
