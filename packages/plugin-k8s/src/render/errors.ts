import { defineErrors } from '@armorkit/core';

/** The codes `armorkit k8s render` raises (its values file, the TLS files it reuses). */
export const renderErrors = defineErrors('@armorkit/plugin-k8s', {
  'k8s-values-invalid': { description: 'The values file of `armorkit k8s render` (or the chart) has a value of the wrong type or an unknown key; the message names it.' },
  'k8s-values-syntax': { description: 'The values file is not valid YAML (or holds more than one document).' },
  'k8s-tls-invalid': { description: 'A CA or serving certificate or key in the TLS directory cannot be read, or they do not belong together.' },
});
