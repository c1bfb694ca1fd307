import type { AuditFields } from './audit-fields.js';
import type { ViolationEvent } from './event.js';
import { type FieldList, KIND_CODES, readKind } from './field-kinds.js';
import type { LabelCache } from './label-cache.js';
import type { AuditRecordDeclaration, DeclaredFields, RecordContext, RecordFields } from './record-declaration.js';
import { LineFields } from './record-line.js';
import { locateRecord, mentionsAny, type RecordHead } from './record-start.js';

/** What `decodeFields` answers when only the line can tell (the registry then reads the line with every reader). */
export const READ_THE_LINE: unique symbol = Symbol('armorkit.readTheLine');

/** A field of a split record: -1 not declared (skipped, or kept in `other`). */
const OTHER = -1;

/** What a reader knows about the records of one shape (the same type and keys, in the same order). */
interface ShapePlan {
  /** Per field: its declared slot, or OTHER. */
  slots: Int16Array;
  /** A key starts with `subj` (so a label may carry mode words). */
  labelKeys: boolean;
  /** A key ends with the declaration's start key (`…apparmor=`: the line reading may start there). */
  keyEndsWithStart: boolean;
}

/**
 * One declaration, ready to read: from a line (any transport) and from a record the native scanner split, through
 * the same field reading (field-kinds.ts readKind over a FieldList), into one reused typed-fields object. Its state
 * (the scratch values, the plans per shape) is the reader's own: one reader per registry.
 */
export class AuditRecordReader<F extends DeclaredFields = DeclaredFields, Other extends boolean = boolean> {
  private readonly slotOf = new Map<string, number>();
  private readonly kinds: Uint8Array;
  /** Per slot: 1 when its last occurrence wins. */
  private readonly last: Uint8Array;
  private readonly otherKinds: Map<string, number> | undefined;
  private readonly values: unknown[];
  private readonly fields: FieldsObject;
  /** The same object, as the declaration's `event` sees it. */
  private readonly typedFields: RecordFields<F, Other>;
  private readonly line: LineFields;
  private readonly context: ReaderContext;
  /** Per scanner (its reused view: shape numbers are its own) and generation: the plans of the shapes seen, by shape. */
  private readonly plans = new WeakMap<AuditFields, { generation: number; shapes: (ShapePlan | undefined)[] }>();
  /** The plans of the view seen last (most records come from one scanner): its entry in `plans`, without the look-up. */
  private lastView: AuditFields | undefined = undefined;
  private lastPlans: { generation: number; shapes: (ShapePlan | undefined)[] } | undefined = undefined;

  constructor(
    readonly declaration: AuditRecordDeclaration<F, Other>,
    labels: LabelCache,
  ) {
    const fields: DeclaredFields = declaration.fields;
    const keys = Object.keys(fields);
    keys.forEach((key, slot) => this.slotOf.set(key, slot));
    this.kinds = Uint8Array.from(keys, (key) => KIND_CODES[fields[key] ?? 'text']);
    this.last = Uint8Array.from(keys, (key) => (declaration.lastOccurrence?.some((last) => last === key) ? 1 : 0));
    const other: DeclaredFields | undefined = declaration.otherFields;
    this.otherKinds = other === undefined ? undefined : new Map(Object.entries(other).map(([key, kind]) => [key, KIND_CODES[kind]]));
    this.values = new Array<unknown>(keys.length);
    const typed = new (fieldsClass(keys))(this.values);
    if (!showsFields<F, Other>(typed, keys)) throw new Error(`audit record ${declaration.name}: its fields object does not show every declared key`);
    this.fields = typed;
    this.typedFields = typed;
    this.line = new LineFields(declaration.grammar);
    this.context = new ReaderContext(labels);
  }

  /** The event of the declaration's record in `line` (any transport), or undefined. */
  decodeLine(line: string): ViolationEvent | undefined {
    const head = locateRecord(this.declaration.start, line);
    if (head === undefined) return undefined;
    this.read(this.line.read(line, head.bodyStart), undefined);
    return this.event(head.auditID, head.epoch, head.nodeName);
  }

  /** The event of a record the native scanner split; undefined when it is not this declaration's; READ_THE_LINE. */
  decodeFields(record: AuditFields): ViolationEvent | undefined | typeof READ_THE_LINE {
    const start = this.declaration.start;
    let auditID: string | undefined;
    if (start.by === 'type') {
      if (!start.types.includes(record.type)) return undefined;
    } else {
      // The line reading takes the first `key=` anywhere, even inside another field's value: only the line can say.
      if (record.count === 0) return undefined;
      if (record.key(0) !== start.key) {
        if (record.quotedValueHoldsEquals) return record.line().includes(`${start.key}=`) ? READ_THE_LINE : undefined;
        return this.plan(record).keyEndsWithStart ? READ_THE_LINE : undefined;
      }
      auditID = record.auditID();
      if (!(mentionsAny(start.mentions, record.type) || mentionsAny(start.mentions, record.nodeName) || mentionsAny(start.mentions, auditID))) {
        return undefined;
      }
    }
    const plan = this.plan(record);
    // A grammar without labels reads `subj=label (mode)` as the label and a word it skips: leave that to the line.
    if (plan.labelKeys && !this.declaration.grammar.labels) {
      for (let i = 0; i < record.count; i++) if (record.labelWords(i)) return READ_THE_LINE;
    }
    this.read(record, plan.slots);
    return this.event(auditID ?? record.auditID(), record.epoch, record.nodeName);
  }

  private event(auditID: string | undefined, epoch: number | undefined, nodeName: string): ViolationEvent | undefined {
    const context = this.context;
    context.auditID = auditID;
    context.epoch = epoch;
    context.nodeName = nodeName;
    return this.declaration.event(this.typedFields, context);
  }

  /** The typed fields of `list`: the first occurrence of a declared key that reads as its kind; `other` in order. */
  private read(list: FieldList, slots: Int16Array | undefined): void {
    const values = this.values;
    for (let slot = 0; slot < values.length; slot++) values[slot] = undefined;
    const otherKinds = this.otherKinds;
    const other: Record<string, string | number> | undefined = otherKinds === undefined ? undefined : {};
    for (let i = 0, count = list.count; i < count; i++) {
      const slot = slots === undefined ? (this.slotOf.get(list.key(i)) ?? OTHER) : (slots[i] as number);
      if (slot !== OTHER) {
        if (values[slot] === undefined) values[slot] = readKind(this.kinds[slot] as number, list, i);
        else if (this.last[slot] === 1) values[slot] = readKind(this.kinds[slot] as number, list, i) ?? values[slot];
        continue;
      }
      if (other === undefined) continue;
      const key = list.key(i);
      // `!== undefined`, not `in`: a key an object already has (Object.prototype's) is skipped, as it always was.
      if (other[key] !== undefined) continue;
      const value = readKind(otherKinds?.get(key) ?? KIND_CODES.text, list, i);
      if (value !== undefined) other[key] = value;
    }
    this.fields.other = other;
  }

  /** The plan of a split record's shape (remembered while the scanner's generation lasts). */
  private plan(record: AuditFields): ShapePlan {
    let plans = record === this.lastView ? this.lastPlans : this.plans.get(record);
    if (plans === undefined || plans.generation !== record.generation) {
      plans = { generation: record.generation, shapes: [] };
      this.plans.set(record, plans);
    }
    this.lastView = record;
    this.lastPlans = plans;
    const known = record.shape < 0 ? undefined : plans.shapes[record.shape];
    if (known !== undefined) return known;
    const start = this.declaration.start;
    const slots = new Int16Array(record.count);
    let labelKeys = false;
    let keyEndsWithStart = false;
    for (let i = 0; i < record.count; i++) {
      const key = record.key(i);
      slots[i] = this.slotOf.get(key) ?? OTHER;
      if (key.startsWith('subj')) labelKeys = true;
      if (start.by === 'key' && key.endsWith(start.key)) keyEndsWithStart = true;
    }
    const plan = { slots, labelKeys, keyEndsWithStart };
    if (record.shape >= 0) plans.shapes[record.shape] = plan;
    return plan;
  }
}

/** The RecordContext handed to `event`, reused for every record of one reader. */
class ReaderContext implements RecordContext {
  auditID: string | undefined = undefined;
  epoch: number | undefined = undefined;
  nodeName = '';

  constructor(private readonly labels: LabelCache) {}

  profileOf(label: string): { profileName: string; childProfile?: string } {
    return this.labels.profileOf(label);
  }
}

/** The reused fields object: `values` by slot, `other` of the record read last. */
interface FieldsObject {
  readonly values: unknown[];
  other: Record<string, string | number> | undefined;
}

/**
 * The fields object is what RecordFields<F, Other> describes when it shows every declared key (and `other`): each
 * getter reads its slot, and the slots hold what readKind gives for the key's kind. Checked once, per reader.
 */
function showsFields<F extends DeclaredFields, Other extends boolean>(fields: FieldsObject, keys: readonly string[]): fields is FieldsObject & RecordFields<F, Other> {
  return keys.every((key) => key in fields) && 'other' in fields;
}

/** A class whose instances show `values[slot]` as property `keys[slot]`: the typed fields, one object per reader. */
function fieldsClass(keys: readonly string[]): new (values: unknown[]) => FieldsObject {
  class Fields {
    other: Record<string, string | number> | undefined = undefined;
    constructor(readonly values: unknown[]) {}
  }
  keys.forEach((key, slot) => {
    Object.defineProperty(Fields.prototype, key, {
      get(this: Fields) {
        return this.values[slot];
      },
      enumerable: true,
    });
  });
  return Fields;
}

export type { RecordHead };
