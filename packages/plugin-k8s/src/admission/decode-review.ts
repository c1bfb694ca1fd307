import {
  type AdmissionRequest,
  type AdmissionResponse,
  admissionReviewRequestSchema,
} from './review.js';

export const ADMISSION_API_VERSION = 'admission.k8s.io/v1';
// Sent only by API servers told `admissionReviewVersions: [v1beta1]`; answered (in its own version) with a refusal.
const OLD_ADMISSION_API_VERSION = 'admission.k8s.io/v1beta1';

/**
 * What a request body is: a review to hand to a webhook; a review we can answer only with a refusal (it has a uid,
 * so the API server reads our answer instead of applying its failurePolicy); or no review at all (HTTP 400).
 */
export type DecodedReview =
  | { request: AdmissionRequest }
  | { refusal: { apiVersion: string; response: AdmissionResponse } }
  | { malformed: string };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function refusal(apiVersion: string, uid: string, message: string): DecodedReview {
  return { refusal: { apiVersion, response: { uid, allowed: false, status: { code: 400, reason: 'BadRequest', message } } } };
}

/** Reads an AdmissionReview (admission.k8s.io/v1) from a request body; never throws. */
export function decodeAdmissionReview(body: Buffer): DecodedReview {
  let data: unknown;
  try {
    data = JSON.parse(body.toString('utf8'));
  } catch (error) {
    return { malformed: `the request body is not JSON (${(error as Error).message})` };
  }
  if (!isRecord(data)) return { malformed: 'the request body is not a JSON object (an AdmissionReview)' };
  const request = isRecord(data.request) ? data.request : undefined;
  const uid = typeof request?.uid === 'string' && request.uid !== '' ? request.uid : undefined;
  if (data.kind !== 'AdmissionReview') return { malformed: `kind is ${JSON.stringify(data.kind)}, not AdmissionReview` };
  if (data.apiVersion !== ADMISSION_API_VERSION) {
    const message = `AdmissionReview ${JSON.stringify(data.apiVersion)} is not supported; this webhook speaks ${ADMISSION_API_VERSION} (admissionReviewVersions: [v1])`;
    return data.apiVersion === OLD_ADMISSION_API_VERSION && uid !== undefined ? refusal(OLD_ADMISSION_API_VERSION, uid, message) : { malformed: message };
  }
  const parsed = admissionReviewRequestSchema.safeParse(data);
  if (parsed.success) return { request: parsed.data.request };
  const issue = parsed.error.issues[0]!;
  const message = `malformed AdmissionReview at /${issue.path.join('/')}: ${issue.message}`;
  return uid !== undefined ? refusal(ADMISSION_API_VERSION, uid, message) : { malformed: message };
}
