// @armorkit/plugin-k8s/install: what installs armorkit on a cluster — the CRDs generated from the schemas (and the
// API server's checks of them), the manifests `armorkit k8s render` prints and the Helm chart is generated from.
// Its own entry, so that the webhook server does not load the certificate generator.
// CRDs generated from the schemas, and the API server's checks of them
export { customResourceDefinitions, type GeneratedCrd } from './crd/generate.js';
export { customResourceDefinitionProblems } from './crd/structural.js';
// The manifests `armorkit k8s render` prints and the Helm chart templates
export { generateWebhookTls, serviceDnsNames, type WebhookTls } from './render/certificates.js';
export { renderErrors } from './render/errors.js';
export { NAMES, renderManifests, type Manifest } from './render/manifests.js';
export { GRANTS } from './render/rbac.js';
export { loadOrCreateTls } from './render/tls-directory.js';
export { parseValues, renderValuesSchema, type RenderValues } from './render/values.js';
export { yamlStream } from './render/yaml.js';
export { writeFileAtomic } from './render/write-file.js';
