import { randomBytes } from 'node:crypto';
import type { CoreV1Api } from '@kubernetes/client-node';
import { CONTROLLER_NAME } from './names.js';

/** The object an Event is about (`kubectl describe` lists the Events whose involvedObject it is). */
export interface InvolvedObject {
  apiVersion: string;
  kind: string;
  name: string;
  /** Absent for a cluster-scoped object, whose Events go to `default` (as client-go's recorder does). */
  namespace?: string;
  uid?: string;
}

export interface EventRecorder {
  record(object: InvolvedObject, type: 'Normal' | 'Warning', reason: string, message: string): void;
}

/** Events longer than this are cut (the API server refuses a message over 1 KiB in events.k8s.io; core/v1 keeps it short too). */
const MAX_MESSAGE = 1024;

/**
 * core/v1 Events, as client-go's recorder writes them. The controller records on transitions only, so there is no
 * aggregation; a failed write is logged and dropped (an Event is information, not state).
 */
export function eventRecorder(core: CoreV1Api, instance: string, clock: () => Date, log: (line: string) => void): EventRecorder {
  return {
    record(object, type, reason, message) {
      const namespace = object.namespace ?? 'default';
      const time = clock();
      const text = message.length > MAX_MESSAGE ? `${message.slice(0, MAX_MESSAGE - 1)}…` : message;
      const body = {
        metadata: { name: `${object.name}.${time.getTime().toString(16)}${randomBytes(3).toString('hex')}`, namespace },
        involvedObject: { ...object, ...(object.namespace ? {} : { namespace: '' }) },
        type,
        reason,
        message: text,
        source: { component: CONTROLLER_NAME },
        reportingComponent: CONTROLLER_NAME,
        reportingInstance: instance,
        firstTimestamp: time,
        lastTimestamp: time,
        count: 1,
      };
      core.createNamespacedEvent({ namespace, body }).catch((error: unknown) => {
        log(`event ${reason} for ${object.kind} ${object.name} not recorded: ${error instanceof Error ? error.message : String(error)}`);
      });
    },
  };
}
