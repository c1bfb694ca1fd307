import { z } from 'zod';

/**
 * The longest audit line read, in bytes, without its line break. The kernel writes no record longer than
 * MAX_AUDIT_MESSAGE_LENGTH (8,970 bytes) and auditd's ENRICHED text only adds the names of its ids, so a longer line
 * is never a record: it is skipped whole, because its first 64 KiB could be a forged record whose real end was cut off.
 */
export const AUDIT_LINE_MAX_BYTES = 64 * 1024;

/** What a reader of audit lines reports besides events: one warning per line longer than AUDIT_LINE_MAX_BYTES. */
export const auditLineWarningSchema = z.object({
  code: z.literal('AUDIT_LINE_TOO_LONG'),
  /** Where the line was read (a file path, `-` for standard input), as the reader was told. */
  source: z.string(),
  /** 1-based, counting every line read from the source. */
  line: z.number().int().min(1),
  /** Of the line's first byte, from the start of what was read from the source. */
  offset: z.number().int().min(0),
  message: z.string(),
});
export type AuditLineWarning = z.infer<typeof auditLineWarningSchema>;

/** Where an over-long line is (its line number and first byte), as a splitter finds it. */
export type OverLongLine = (line: number, offset: number) => void;

export function overLongLineWarning(source: string, line: number, offset: number): AuditLineWarning {
  return {
    code: 'AUDIT_LINE_TOO_LONG',
    source,
    line,
    offset,
    message: `${source}: line ${line} (at byte ${offset}) is longer than ${AUDIT_LINE_MAX_BYTES} bytes: skipped whole, it is not an audit record`,
  };
}
