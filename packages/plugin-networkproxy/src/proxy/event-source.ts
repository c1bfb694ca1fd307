// `armorkit audit --source networkproxy`: the proxy's events file read back as ViolationEvents (JSON lines as the
// sinks write them), then, when following, the lines appended later; a rotated or truncated file is read anew.
import { open, stat } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { fail, ok, type AuditSource, type Result } from '@armorkit/core';
import { violationEventSchema, type ViolationEvent } from '@armorkit/core/audit';
import { networkProxyErrors } from '../errors.js';

const POLL_MS = 250;
const READ_BYTES = 1 << 16;

/** One line of the events file as a ViolationEvent of the proxy; undefined for anything else (a warning line). */
export function proxyEventOfLine(line: string): ViolationEvent | undefined {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Reflect.get(value, 'message') !== 'violation event') return undefined;
  const parsed = violationEventSchema.safeParse(value);
  return parsed.success && parsed.data.enforcer === 'NetworkProxy' ? parsed.data : undefined;
}

export async function openProxyEventSource(path: string): Promise<Result<AuditSource>> {
  try {
    await stat(path);
  } catch (error) {
    const reason = error instanceof Error && 'code' in error && error.code === 'ENOENT' ? 'it does not exist (is the proxy writing its events to a file there?)' : String(error);
    return fail([networkProxyErrors.error('networkproxy-events-unreadable', '', `the proxy's events file ${path} cannot be read: ${reason}`)]);
  }
  let closed = false;
  return ok({
    enforcer: 'NetworkProxy',
    description: `the NetworkProxy events file ${path}`,
    events: (options) => readEvents(path, options.follow, options.signal, () => closed),
    close: () => {
      closed = true;
    },
  });
}

async function* readEvents(path: string, follow: boolean, signal: AbortSignal | undefined, isClosed: () => boolean): AsyncGenerator<ViolationEvent> {
  let offset = 0;
  let inode: number | undefined;
  let pending = '';
  const buffer = Buffer.alloc(READ_BYTES);
  while (!isClosed() && !signal?.aborted) {
    const info = await stat(path).catch(() => undefined);
    if (info) {
      if (info.size < offset || (inode !== undefined && info.ino !== inode)) {
        offset = 0;
        pending = '';
      }
      inode = info.ino;
      if (info.size > offset) {
        const file = await open(path, 'r');
        try {
          while (offset < info.size) {
            const { bytesRead } = await file.read(buffer, 0, Math.min(READ_BYTES, info.size - offset), offset);
            if (bytesRead === 0) break;
            offset += bytesRead;
            const lines = (pending + buffer.toString('utf8', 0, bytesRead)).split('\n');
            pending = lines.pop() ?? '';
            for (const line of lines) {
              const event = proxyEventOfLine(line);
              if (event) yield event;
            }
          }
        } finally {
          await file.close();
        }
      }
    }
    if (!follow) break;
    try {
      await sleep(POLL_MS, undefined, signal ? { signal } : {});
    } catch {
      break;
    }
  }
  const last = pending.length > 0 ? proxyEventOfLine(pending) : undefined;
  if (last) yield last;
}
