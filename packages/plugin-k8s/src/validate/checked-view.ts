import type { KubernetesObject } from '../admission/review.js';

/** Written by kubectl apply: the whole object again, as one JSON string. */
export const LAST_APPLIED_ANNOTATION = 'kubectl.kubernetes.io/last-applied-configuration';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The object as the engine checks it: without what the API server and kubectl keep about the object's history,
 * `metadata.managedFields` and the last-applied annotation (a string). No schema, dialect or plugin reads either (the
 * policy schemas keep unknown ObjectMeta fields as written, and an annotation that is a string passes them), so the
 * verdict is the same, and they are most of a review's bytes: the parser reads half as much or less, and a re-apply
 * that only changes them finds its verdict cached. Anything else, including a non-string annotation, is kept.
 */
export function checkedView(object: KubernetesObject): KubernetesObject {
  const metadata = object.metadata;
  if (!isRecord(metadata)) return object;
  const annotations = metadata.annotations;
  const dropAnnotation = isRecord(annotations) && typeof annotations[LAST_APPLIED_ANNOTATION] === 'string';
  if (!('managedFields' in metadata) && !dropAnnotation) return object;
  const { managedFields: _managedFields, ...kept } = metadata;
  if (dropAnnotation) {
    const { [LAST_APPLIED_ANNOTATION]: _lastApplied, ...others } = annotations;
    kept.annotations = others;
  }
  return { ...object, metadata: kept };
}
