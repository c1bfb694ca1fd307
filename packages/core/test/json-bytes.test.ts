// json-bytes.ts must write exactly the bytes of Buffer.from(JSON.stringify(value)), whatever the value holds, and
// never claim to have written what did not fit.
import { describe, expect, it } from 'vitest';
import { violationEvent } from '../src/audit/event.js';
import { jsonShapeWriter, NO_ROOM, OMITTED, writeJsonObject, type JsonObjectWriter } from '../src/audit/json-bytes.js';

const eventShape = jsonShapeWriter(violationEvent({ eventTimestamp: 0, enforcer: 'AppArmor', action: 'DENIED' }), ['eventTimestamp', 'enforcer', 'action', 'event']);

/** What `write` puts in a buffer of `room` bytes (after 3 bytes of something else), or NO_ROOM / OMITTED. */
function written(write: JsonObjectWriter, value: object, room = 1 << 16): string | number {
  const bytes = Buffer.alloc(room + 3, 0xee);
  const end = write(bytes, 3, bytes.length, value);
  return end < 0 ? end : bytes.toString('utf8', 3, end);
}

const expectExact = (value: object): void => {
  const expected = JSON.stringify(value);
  expect(written(writeJsonObject, value)).toBe(expected);
  expect(written(eventShape, value)).toBe(expected);
};

class Point {
  constructor(
    readonly x: number,
    readonly y: number,
  ) {}
}

const hostileStrings = [
  '',
  'plain',
  'a"b',
  'back\\slash',
  'line\nbreak\r\ttab\b\f',
  '\u0000\u0001\u001f\u007f',
  'é ü ß',
  '日本語',
  '😀 pair',
  'lone \ud800 high',
  'lone \udc00 low',
  '\u2028\u2029',
  'x'.repeat(5000),
  '</script>',
];
const numbers = [0, -0, 1, 9, 10, 99, 100, 2147483647, 2147483648, 4294967295, 2 ** 53, 2 ** 53 + 2, -1, -2147483648, 0.5, 1e21, 1e-7, 123.456, Number.MAX_VALUE, Number.MIN_VALUE, NaN, Infinity, -Infinity];

describe('writeJsonObject and jsonShapeWriter', () => {
  it.each(hostileStrings.map((text) => [JSON.stringify(text).slice(0, 40), text]))('string %s', (_, text) => {
    expectExact({ text, [text]: 1 });
  });

  it.each(numbers.map((value) => [String(value), value]))('number %s', (_, value) => {
    expectExact({ value, nested: { value } });
  });

  it('values JSON leaves out, or writes its own way', () => {
    const toJsonUndefined = { toJSON: () => undefined };
    const keyed = { toJSON: (key: string) => `under ${key}` };
    expectExact({ a: undefined, b: () => 1, c: Symbol('s'), d: 1, e: undefined });
    expectExact({ a: undefined });
    expectExact({ gone: toJsonUndefined, kept: 1, alsoGone: toJsonUndefined });
    expectExact({ keyed, deeper: { keyed } });
    expectExact({ date: new Date(0), list: [1, 'two', undefined, () => 3, { x: [] }], point: new Point(1, 2), map: new Map([[1, 2]]) });
    expectExact({ nullish: null, yes: true, no: false, empty: {}, emptyList: [] });
    expectExact({ 2: 'two', 1: 'one', b: 'b', a: 'a', '-1': 'minus' });
    expectExact(Object.assign(Object.create(null) as object, { bare: { deeper: Object.create(null) as object } }));
    expectExact({ [Symbol('hidden')]: 1, shown: 2 });
    expectExact(Object.defineProperty({ shown: 1 }, 'hidden', { value: 2, enumerable: false }));
    expectExact({
      get computed() {
        return 'got';
      },
    });
    expectExact(new Point(3, 4));
    expectExact(new Date(1700000000000));
  });

  it('deep objects as JSON writes them, a cycle and a bigint throw as JSON.stringify does', () => {
    let deep: Record<string, unknown> = { leaf: 'x' };
    for (let i = 0; i < 40; i++) deep = { [`level${i}`]: deep, i };
    expectExact(deep);
    const cycle: Record<string, unknown> = { name: 'loop' };
    cycle.self = { again: cycle };
    expect(() => written(writeJsonObject, cycle)).toThrow(TypeError);
    expect(() => written(writeJsonObject, { big: 1n })).toThrow(TypeError);
    expect(() => written(eventShape, { ...violationEvent({ eventTimestamp: 1, enforcer: 'Seccomp', action: 'DENIED' }), event: { big: 1n } })).toThrow(TypeError);
  });

  it('a root whose toJSON gives nothing is OMITTED', () => {
    expect(written(eventShape, { toJSON: () => undefined })).toBe(OMITTED);
  });

  it('an enumerable key on Object.prototype is left out, as JSON leaves it out', () => {
    const prototype = Object.prototype as Record<string, unknown>;
    prototype.injected = 'no';
    try {
      expectExact({ a: 1, nested: { b: 2 } });
    } finally {
      delete prototype.injected;
    }
  });

  it('events of the usual shape, with usual and unusual values, in other orders, with other keys', () => {
    const base = violationEvent({ eventTimestamp: 1700000000, enforcer: 'AppArmor', action: 'DENIED', profileName: 'p', pid: 7, event: { operation: 'open', name: '/etc/shadow' } });
    expectExact(base);
    expectExact({ ...base, nodeName: 'node-1', podName: 'pod', mntNsID: 4026531840, metadata: { labels: { app: 'x' } } });
    expectExact({ ...base, policyKind: 'VarmorPolicy', policyName: 'demo', policyNamespace: 'ns' });
    expectExact({ ...base, podUID: undefined, image: 5, containerID: null });
    expectExact({ ...base, extra: 'after' });
    expectExact({ first: 'before', ...base });
    const { pid, ...withoutPid } = base;
    expectExact({ ...withoutPid, pid });
    expectExact(withoutPid);
    expectExact({ ...base, metadata: Object.create(null) as object, event: {} });
    expectExact({ ...base, metadata: new Point(1, 1) });
    expectExact({ ...base, event: { toJSON: () => undefined } });
  });

  it('random objects', () => {
    let state = 12345;
    const next = (): number => {
      state = (state * 1103515245 + 12345) % 2 ** 31;
      return state / 2 ** 31;
    };
    const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
    const value = (depth: number): unknown => {
      const roll = next();
      if (roll < 0.3) return pick(hostileStrings.slice(0, -2));
      if (roll < 0.55) return pick(numbers);
      if (roll < 0.65) return pick([true, false, null, undefined]);
      if (roll < 0.75 && depth < 4) return Array.from({ length: Math.floor(next() * 4) }, () => value(depth + 1));
      if (depth < 4) return object(depth + 1);
      return 'leaf';
    };
    const object = (depth: number): Record<string, unknown> =>
      Object.fromEntries(Array.from({ length: Math.floor(next() * 6) }, () => [pick(['a', 'b', 'name', 'pid', '1', 'ü', 'k"ey', 'event']), value(depth)]));
    for (let i = 0; i < 1000; i++) {
      const event = violationEvent({ eventTimestamp: Math.floor(next() * 2 ** 32), enforcer: 'Seccomp', action: 'AUDIT', pid: Math.floor(next() * 2 ** 32), event: object(0) });
      expectExact(object(0));
      expectExact(event);
    }
  });

  it('too little room is NO_ROOM at every size, and enough room is the whole text', () => {
    const values: object[] = [
      violationEvent({ eventTimestamp: 1700000000, enforcer: 'AppArmor', action: 'DENIED', profileName: 'p', pid: 7, event: { name: 'é/😀"x', n: 12345, ok: true, gone: undefined, list: [1, 2] } }),
      { a: 'x'.repeat(30), b: { c: 1234567, d: 1.5 } },
    ];
    for (const value of values) {
      const expected = JSON.stringify(value);
      const size = Buffer.byteLength(expected);
      for (const write of [writeJsonObject, eventShape]) {
        for (let room = 0; room < size; room++) expect(written(write, value, room)).toBe(NO_ROOM);
        expect(written(write, value, size)).toBe(expected);
      }
    }
  });
});
