import { isInteger, isSafeNumber, parse } from 'lossless-json';

/**
 * JSON whose integers beyond 2^53 stay exact (as bigint): JSON.parse rounds 18446744073709551615, a valid OCI uint64.
 * Other numbers are plain JS numbers; duplicate keys are refused, as the YAML reader refuses them.
 */
export function parseExactJson(text: string): { value: unknown } | { error: string } {
  try {
    return { value: parse(text, null, exactNumber) };
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
}

function exactNumber(text: string): number | bigint {
  if (isInteger(text) && !isSafeNumber(text)) return BigInt(text);
  return Number(text);
}
