// @armorkit/plugin-k8s/install: what installs armorkit on a cluster — the CRDs generated from the schemas (and the
// API server's checks of them), the manifests `armorkit k8s render` prints and the Helm chart is generated from.
// Its own entry, so that the webhook server does not load the certificate generator.
// CRDs generated from the schemas, and the API server's checks of them
export { customResourceDefinition, customResourceDefinitions, type CustomResourceDefinition, type GeneratedCrd } from './crd/generate.js';
export { CUSTOM_RESOURCE_KINDS, VARMOR_GROUP, VARMOR_VERSION, type CustomResourceKind, type PrinterColumn } from './crd/kinds.js';
export type { OpenApiSchema, WebhookOnlyCheck } from './crd/openapi.js';
export { customResourceDefinitionProblems, openApiSchemaProblems, type SchemaProblem } from './crd/structural.js';
export { webhookOnlyChecksText } from './crd/webhook-only.js';
// The manifests `armorkit k8s render` prints and the Helm chart templates
export { generateWebhookTls, serviceDnsNames, webhookTlsProblems, type WebhookTls } from './render/certificates.js';
export { renderErrors } from './render/errors.js';
export { NAMES, renderManifests, type Manifest, type RenderInput } from './render/manifests.js';
export { GRANTS, rbacTableText, type ExplainedRule, type Grant } from './render/rbac.js';
export { loadOrCreateTls, TLS_FILES } from './render/tls-directory.js';
export { defaultValues, parseValues, renderValuesSchema, type RenderValues, type RenderValuesInput } from './render/values.js';
export { yamlDocument, yamlStream } from './render/yaml.js';
export { writeFileAtomic } from './render/write-file.js';
