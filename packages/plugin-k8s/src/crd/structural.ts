// The checks the API server makes on a CustomResourceDefinition's schemas before it accepts one
// (apiextensions-apiserver: apis/apiextensions/validation ValidateCustomResourceDefinitionOpenAPISchema and
// pkg/apiserver/schema ValidateStructural), so a generated CRD that would be refused fails here, without a cluster.

/** A reason the API server would refuse the CRD; `path` is written as the API server writes field paths. */
export interface SchemaProblem {
  path: string;
  message: string;
}

type Node = Record<string, unknown>;

// The JSON names of JSONSchemaProps: anything else is an unknown field, which strict decoding refuses.
const KNOWN_KEYS = new Set([
  'id', '$schema', '$ref', 'description', 'type', 'format', 'title', 'default', 'maximum', 'exclusiveMaximum', 'minimum',
  'exclusiveMinimum', 'maxLength', 'minLength', 'pattern', 'maxItems', 'minItems', 'uniqueItems', 'multipleOf', 'enum',
  'maxProperties', 'minProperties', 'required', 'items', 'allOf', 'oneOf', 'anyOf', 'not', 'properties',
  'additionalProperties', 'patternProperties', 'dependencies', 'additionalItems', 'definitions', 'externalDocs', 'example',
  'nullable', 'x-kubernetes-preserve-unknown-fields', 'x-kubernetes-embedded-resource', 'x-kubernetes-int-or-string',
  'x-kubernetes-list-map-keys', 'x-kubernetes-list-type', 'x-kubernetes-map-type', 'x-kubernetes-validations',
]);
const TYPES = new Set(['array', 'boolean', 'integer', 'number', 'object', 'string']);
const NUMBER_KEYS = ['maximum', 'minimum', 'multipleOf'];
const INTEGER_KEYS = ['maxLength', 'minLength', 'maxItems', 'minItems', 'maxProperties', 'minProperties'];
const BOOLEAN_KEYS = ['exclusiveMaximum', 'exclusiveMinimum', 'uniqueItems', 'nullable', 'x-kubernetes-preserve-unknown-fields', 'x-kubernetes-embedded-resource', 'x-kubernetes-int-or-string'];
// What a schema under anyOf / allOf / oneOf / not may not say (it would change the structure, not only validate).
const EMPTY = 'must be empty to be structural';
const UNDEFINED = 'must be undefined to be structural';
const FALSE = 'must be false to be structural';
const NESTED_FORBIDDEN: readonly (readonly [string, string])[] = [
  ['type', EMPTY], ['additionalProperties', UNDEFINED], ['default', UNDEFINED], ['title', EMPTY], ['description', EMPTY],
  ['nullable', FALSE], ['externalDocs', UNDEFINED], ['x-kubernetes-preserve-unknown-fields', FALSE],
  ['x-kubernetes-embedded-resource', FALSE], ['x-kubernetes-int-or-string', FALSE], ['x-kubernetes-list-map-keys', EMPTY],
  ['x-kubernetes-list-type', UNDEFINED], ['x-kubernetes-map-type', UNDEFINED], ['x-kubernetes-validations', EMPTY],
];
const JUNCTORS = ['allOf', 'anyOf', 'oneOf'] as const;

type Level = 'root' | 'item' | 'field';

const isNode = (value: unknown): value is Node => typeof value === 'object' && value !== null && !Array.isArray(value);
const propertiesOf = (node: Node): Record<string, unknown> => (isNode(node.properties) ? node.properties : {});
const key = (path: string, name: string): string => `${path}.properties[${name}]`;

function isIntOrStringAnyOf(anyOf: unknown): boolean {
  if (!Array.isArray(anyOf) || anyOf.length !== 2) return false;
  const [first, second] = anyOf as unknown[];
  const only = (member: unknown, type: string) => isNode(member) && Object.keys(member).length === 1 && member.type === type;
  return only(first, 'integer') && only(second, 'string');
}

/** Field-level rules (decoding and the v3 standard validator) on one node, recursing into every sub-schema. */
function checkProps(node: Node, path: string, problems: SchemaProblem[], insideMeta: boolean): void {
  const add = (at: string, message: string) => problems.push({ path: at, message });
  for (const name of Object.keys(node)) if (!KNOWN_KEYS.has(name)) add(`${path}.${name}`, 'unknown field (not a JSONSchemaProps field)');
  if ('type' in node && (typeof node.type !== 'string' || !TYPES.has(node.type))) {
    add(`${path}.type`, node.type === 'null' ? 'type cannot be set to null, use nullable as an alternative' : `unsupported value ${JSON.stringify(node.type)}: one of ${[...TYPES].join(', ')}`);
  }
  for (const name of NUMBER_KEYS) if (name in node && typeof node[name] !== 'number') add(`${path}.${name}`, 'must be a number');
  for (const name of INTEGER_KEYS) if (name in node && !Number.isInteger(node[name])) add(`${path}.${name}`, 'must be an integer');
  for (const name of BOOLEAN_KEYS) if (name in node && typeof node[name] !== 'boolean') add(`${path}.${name}`, 'must be a boolean');
  if ('pattern' in node) {
    if (typeof node.pattern !== 'string') add(`${path}.pattern`, 'must be a string');
    else {
      try {
        new RegExp(node.pattern, 'u');
      } catch (error) {
        add(`${path}.pattern`, `must be a valid regular expression, but isn't: ${(error as Error).message}`);
      }
    }
  }
  if ('required' in node && (!Array.isArray(node.required) || !node.required.every((name) => typeof name === 'string'))) add(`${path}.required`, 'must be a list of names');
  if ('enum' in node && !Array.isArray(node.enum)) add(`${path}.enum`, 'must be a list');
  if ('id' in node) add(`${path}.id`, 'id is not supported');
  if ('$ref' in node) add(`${path}.$ref`, '$ref is not supported');
  if ('definitions' in node) add(`${path}.definitions`, 'definitions is not supported');
  if ('dependencies' in node) add(`${path}.dependencies`, 'dependencies is not supported');
  if ('additionalItems' in node) add(`${path}.additionalItems`, 'additionalItems is not supported');
  if ('patternProperties' in node) add(`${path}.patternProperties`, 'patternProperties is not supported');
  if (node.uniqueItems === true) add(`${path}.uniqueItems`, 'uniqueItems cannot be set to true since the runtime complexity becomes quadratic');
  if (Array.isArray(node.items)) add(`${path}.items`, 'items must be a schema object and not an array');
  if (node['x-kubernetes-preserve-unknown-fields'] === false) add(`${path}.x-kubernetes-preserve-unknown-fields`, 'must be true or undefined');
  if (insideMeta && node['x-kubernetes-embedded-resource'] === true) add(`${path}.x-kubernetes-embedded-resource`, 'must not be used inside of resource meta');
  const listType = node['x-kubernetes-list-type'];
  if (listType !== undefined && !['atomic', 'set', 'map'].includes(String(listType))) add(`${path}.x-kubernetes-list-type`, 'supported values: atomic, set, map');
  if (listType !== undefined && node.type !== 'array') add(`${path}.type`, 'must be array if x-kubernetes-list-type is specified');
  const mapType = node['x-kubernetes-map-type'];
  if (mapType !== undefined && !['atomic', 'granular'].includes(String(mapType))) add(`${path}.x-kubernetes-map-type`, 'supported values: atomic, granular');
  if (mapType !== undefined && node.type !== 'object') add(`${path}.type`, 'must be object if x-kubernetes-map-type is specified');
  if (node.additionalProperties !== undefined) {
    if (Object.keys(propertiesOf(node)).length > 0 && (node.additionalProperties === false || isNode(node.additionalProperties))) {
      add(`${path}.additionalProperties`, 'additionalProperties and properties are mutual exclusive');
    }
    if (isNode(node.additionalProperties)) checkProps(node.additionalProperties, `${path}.additionalProperties`, problems, insideMeta);
  }
  for (const [name, child] of Object.entries(propertiesOf(node))) {
    if (isNode(child)) checkProps(child, key(path, name), problems, insideMeta);
    else add(key(path, name), 'must be a schema object');
  }
  if (isNode(node.items)) checkProps(node.items, `${path}.items`, problems, insideMeta);
  if (isNode(node.not)) checkProps(node.not, `${path}.not`, problems, insideMeta);
  for (const junctor of JUNCTORS) {
    const members = node[junctor];
    if (members === undefined) continue;
    if (!Array.isArray(members)) add(`${path}.${junctor}`, 'must be a list of schemas');
    else members.forEach((member, index) => (isNode(member) ? checkProps(member, `${path}.${junctor}[${index}]`, problems, insideMeta) : add(`${path}.${junctor}[${index}]`, 'must be a schema object')));
  }
}

/** ValidateStructural: every node typed, value validations apart from the structure, metadata restricted. */
function checkStructural(node: Node, level: Level, path: string, problems: SchemaProblem[]): void {
  const add = (at: string, message: string) => problems.push({ path: at, message });
  const intOrString = node['x-kubernetes-int-or-string'] === true;
  const preserve = node['x-kubernetes-preserve-unknown-fields'] === true;
  const embedded = node['x-kubernetes-embedded-resource'] === true;
  if (node.type === 'array' && !isNode(node.items)) add(`${path}.items`, 'must be specified');
  if (isNode(node.items)) checkStructural(node.items, 'item', `${path}.items`, problems);
  for (const [name, child] of Object.entries(propertiesOf(node))) if (isNode(child)) checkStructural(child, 'field', key(path, name), problems);
  if (node.additionalProperties !== undefined) {
    if (level === 'root') add(`${path}.additionalProperties`, 'must not be used at the root');
    if (isNode(node.additionalProperties)) checkStructural(node.additionalProperties, 'field', `${path}.additionalProperties`, problems);
  }
  if (intOrString && preserve) add(`${path}.x-kubernetes-preserve-unknown-fields`, 'must be false if x-kubernetes-int-or-string is true');
  if (intOrString && embedded) add(`${path}.x-kubernetes-embedded-resource`, 'must be false if x-kubernetes-int-or-string is true');
  const skipAnyOf = isIntOrStringAnyOf(node.anyOf);
  const allOf = Array.isArray(node.allOf) ? node.allOf : [];
  const skipFirstAllOfAnyOf = isNode(allOf[0]) && isIntOrStringAnyOf(allOf[0].anyOf);
  checkValueValidation(node, skipAnyOf, skipFirstAllOfAnyOf, path, problems);
  if (embedded && node.type !== 'object') add(`${path}.type`, 'must be object if x-kubernetes-embedded-resource is true');
  else if (node.type === undefined && !intOrString && !preserve) {
    const where = { root: 'at the root', item: 'for specified array items', field: 'for specified object fields' }[level];
    add(`${path}.type`, `must not be empty ${where}`);
  }
  if (embedded && node.additionalProperties !== undefined) add(`${path}.additionalProperties`, 'must not be used if x-kubernetes-embedded-resource is set');
  if (level === 'root' && node.type !== undefined && node.type !== 'object') add(`${path}.type`, 'must be object at the root');
  const checkMetadata = level === 'root' || embedded;
  const properties = propertiesOf(node);
  for (const name of ['kind', 'apiVersion']) {
    const member = properties[name];
    if (checkMetadata && isNode(member) && member.type !== 'string') add(`${key(path, name)}.type`, 'must be string');
  }
  const metadata = properties.metadata;
  if (isNode(metadata)) checkMetadataSchema(metadata, checkMetadata, level, key(path, 'metadata'), problems);
  if (embedded && !preserve && Object.keys(properties).length === 0) add(`${path}.properties`, 'must not be empty if x-kubernetes-embedded-resource is true without x-kubernetes-preserve-unknown-fields');
}

function checkMetadataSchema(metadata: Node, checkMetadata: boolean, level: Level, path: string, problems: SchemaProblem[]): void {
  if (checkMetadata && metadata.type !== 'object') problems.push({ path: `${path}.type`, message: 'must be object' });
  if (level !== 'root') return;
  const names = Object.keys(propertiesOf(metadata));
  const restOfMetadata = Object.keys(metadata).filter((name) => name !== 'type' && name !== 'properties' && name !== 'default');
  if (names.some((name) => name !== 'name' && name !== 'generateName') || restOfMetadata.length > 0) {
    problems.push({ path, message: 'must not specify anything other than name and generateName, but metadata is implicitly specified' });
  }
}

function checkValueValidation(node: Node, skipAnyOf: boolean, skipFirstAllOfAnyOf: boolean, path: string, problems: SchemaProblem[]): void {
  for (const junctor of JUNCTORS) {
    const members = Array.isArray(node[junctor]) ? (node[junctor] as unknown[]) : [];
    if (junctor === 'anyOf' && skipAnyOf) continue;
    members.forEach((member, index) => {
      if (!isNode(member)) return;
      const skip = junctor === 'allOf' && index === 0 && skipFirstAllOfAnyOf;
      checkNested(member, skip, `${path}.${junctor}[${index}]`, problems);
      checkCompleteness(member, node, `${path}.${junctor}[${index}]`, problems);
    });
  }
  if (isNode(node.not)) {
    checkNested(node.not, false, `${path}.not`, problems);
    checkCompleteness(node.not, node, `${path}.not`, problems);
  }
}

function checkNested(node: Node, skipAnyOf: boolean, path: string, problems: SchemaProblem[]): void {
  checkValueValidation(node, skipAnyOf, false, path, problems);
  if (isNode(node.items)) checkNested(node.items, false, `${path}.items`, problems);
  for (const [name, child] of Object.entries(propertiesOf(node))) if (isNode(child)) checkNested(child, false, key(path, name), problems);
  for (const [name, message] of NESTED_FORBIDDEN) {
    if (name in node && node[name] !== false) problems.push({ path: `${path}.${name}`, message });
  }
  if ('metadata' in propertiesOf(node)) problems.push({ path: key(path, 'metadata'), message: 'must not be specified in a nested context' });
}

// Every field or item a value validation names must be specified in the structure too.
function checkCompleteness(nested: Node, core: Node, path: string, problems: SchemaProblem[]): void {
  const coreProperties = propertiesOf(core);
  for (const [name, child] of Object.entries(propertiesOf(nested))) {
    const coreChild = coreProperties[name] ?? (isNode(core.additionalProperties) ? core.additionalProperties : undefined);
    if (!isNode(coreChild)) {
      if (core['x-kubernetes-preserve-unknown-fields'] !== true) problems.push({ path: key(path, name), message: 'must have a corresponding property in the structural schema' });
      continue;
    }
    if (isNode(child)) checkCompleteness(child, coreChild, key(path, name), problems);
  }
  if (isNode(nested.items)) {
    if (!isNode(core.items)) problems.push({ path: `${path}.items`, message: 'must have a corresponding items schema in the structural schema' });
    else checkCompleteness(nested.items, core.items, `${path}.items`, problems);
  }
  for (const junctor of JUNCTORS) {
    const members = Array.isArray(nested[junctor]) ? (nested[junctor] as unknown[]) : [];
    members.forEach((member, index) => isNode(member) && checkCompleteness(member, core, `${path}.${junctor}[${index}]`, problems));
  }
}

/** Every reason the API server would refuse `schema` as a CRD version's openAPIV3Schema; sorted, as the API server sorts them. */
export function openApiSchemaProblems(schema: unknown, path = 'openAPIV3Schema'): SchemaProblem[] {
  if (!isNode(schema)) return [{ path, message: 'must be a schema object' }];
  const problems: SchemaProblem[] = [];
  checkProps(schema, path, problems, false);
  checkStructural(schema, 'root', path, problems);
  return problems.sort((a, b) => (`${a.path}: ${a.message}` < `${b.path}: ${b.message}` ? -1 : 1));
}

const DNS_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const PRINTER_TYPES = new Set(['integer', 'number', 'string', 'boolean', 'date']);

/** The API server's checks of a whole CustomResourceDefinition that matter for generated ones: names, versions, columns, schemas. */
export function customResourceDefinitionProblems(crd: unknown): SchemaProblem[] {
  if (!isNode(crd) || !isNode(crd.spec) || !isNode(crd.metadata)) return [{ path: '', message: 'a CustomResourceDefinition needs metadata and spec' }];
  const problems: SchemaProblem[] = [];
  const add = (path: string, message: string) => problems.push({ path, message });
  const spec = crd.spec;
  const names = isNode(spec.names) ? spec.names : {};
  if (crd.apiVersion !== 'apiextensions.k8s.io/v1') add('apiVersion', 'must be apiextensions.k8s.io/v1');
  if (crd.metadata.name !== `${String(names.plural)}.${String(spec.group)}`) add('metadata.name', 'must be spec.names.plural+"."+spec.group');
  for (const name of ['plural', 'singular', 'kind', 'listKind'] as const) if (typeof names[name] !== 'string' || names[name] === '') add(`spec.names.${name}`, 'required');
  for (const name of ['plural', 'singular'] as const) if (typeof names[name] === 'string' && !DNS_LABEL.test(names[name])) add(`spec.names.${name}`, 'must be a DNS-1035 label');
  for (const [index, short] of (Array.isArray(names.shortNames) ? names.shortNames : []).entries()) {
    if (typeof short !== 'string' || !DNS_LABEL.test(short)) add(`spec.names.shortNames[${index}]`, 'must be a DNS-1035 label');
  }
  if (spec.scope !== 'Namespaced' && spec.scope !== 'Cluster') add('spec.scope', 'must be Namespaced or Cluster');
  const versions = Array.isArray(spec.versions) ? spec.versions.filter(isNode) : [];
  if (versions.length === 0) add('spec.versions', 'must have exactly one version marked as storage version');
  if (versions.filter((version) => version.storage === true).length !== 1) add('spec.versions', 'must have exactly one version marked as storage version');
  versions.forEach((version, index) => {
    const at = `spec.versions[${index}]`;
    if (typeof version.served !== 'boolean') add(`${at}.served`, 'required');
    const columns = Array.isArray(version.additionalPrinterColumns) ? version.additionalPrinterColumns.filter(isNode) : [];
    columns.forEach((column, columnIndex) => {
      if (!PRINTER_TYPES.has(String(column.type))) add(`${at}.additionalPrinterColumns[${columnIndex}].type`, `unsupported value ${JSON.stringify(column.type)}`);
      if (typeof column.jsonPath !== 'string' || !column.jsonPath.startsWith('.')) add(`${at}.additionalPrinterColumns[${columnIndex}].jsonPath`, 'must be a simple json path starting with .');
    });
    const subresources = isNode(version.subresources) ? version.subresources : {};
    for (const name of Object.keys(subresources)) if (name !== 'status' && name !== 'scale') add(`${at}.subresources.${name}`, 'unknown subresource');
    const schema = isNode(version.schema) ? version.schema.openAPIV3Schema : undefined;
    if (schema === undefined) add(`${at}.schema.openAPIV3Schema`, 'schemas are required');
    else problems.push(...openApiSchemaProblems(schema, `${at}.schema.openAPIV3Schema`));
  });
  return problems;
}
