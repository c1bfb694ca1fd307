import type { GeneratedCrd } from './generate.js';

/**
 * The checks each CRD leaves to the validating webhook, as a Markdown list per kind: the CRD generator's record of
 * what OpenAPI could not say (docs/kubernetes.md carries it; a test keeps the two equal).
 */
export function webhookOnlyChecksText(generated: readonly GeneratedCrd[]): string {
  return generated
    .map(({ kind, webhookOnly }) => {
      const lines = webhookOnly.map((check) => `- \`${check.path}\`: ${check.reason}`);
      return [`#### ${kind}`, '', ...lines, ''].join('\n');
    })
    .join('\n');
}
