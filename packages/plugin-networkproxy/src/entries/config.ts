// @armorkit/plugin-networkproxy/config: what `armorkit proxy --config FILE` reads (schema, parser, printer) and the
// local sources of the values of secretRef headers.
export {
  formatProxyConfig,
  parseProxyConfig,
  proxyConfigSchema,
  type AuditSettings,
  type HeaderSetting,
  type MitmSettings,
  type ProxyConfig,
  type SecretRef,
  type SpoofingProtection,
} from '../config/proxy-config.js';
export {
  firstSecretSource,
  resolveHeaderSecrets,
  secretsFromDirectory,
  secretsFromEnvironment,
  secretVariable,
  type ResolvedProxyConfig,
  type SecretSource,
} from '../config/secrets.js';
