// Rendered objects against the Kubernetes API's own schemas: kubernetes-models (validators generated from the
// upstream OpenAPI: types, required fields, enums, formats) and @kubernetes/client-node's model type maps (generated
// from the v1.34 OpenAPI), which name every field a kind has, so an unknown field (refused by kubectl's strict field
// validation) is found too.
import * as client from '@kubernetes/client-node';
import * as admissionregistration from 'kubernetes-models/admissionregistration.k8s.io/v1';
import * as apiextensions from 'kubernetes-models/apiextensions.k8s.io/v1';
import * as apps from 'kubernetes-models/apps/v1';
import * as rbac from 'kubernetes-models/rbac.authorization.k8s.io/v1';
import * as core from 'kubernetes-models/v1';
import * as certManager from '@kubernetes-models/cert-manager/cert-manager.io/v1';

interface Validating {
  validate(): void;
}
type ModelClass = new (data: never) => Validating;

const MODELS: Record<string, Record<string, unknown>> = {
  v1: core,
  'apps/v1': apps,
  'rbac.authorization.k8s.io/v1': rbac,
  'admissionregistration.k8s.io/v1': admissionregistration,
  'apiextensions.k8s.io/v1': apiextensions,
  'cert-manager.io/v1': certManager,
};

interface Typed {
  apiVersion: string;
  kind: string;
}

/** kubernetes-models' validation of one object; its message when it fails, else undefined. */
export function modelProblem(object: Typed): string | undefined {
  const Model = MODELS[object.apiVersion]?.[object.kind] as ModelClass | undefined;
  if (!Model) return `no kubernetes-models class for ${object.apiVersion} ${object.kind}`;
  try {
    new Model(object as never).validate();
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

interface Attribute {
  baseName: string;
  type: string;
}
type Modelled = { getAttributeTypeMap(): Attribute[] };

function modelled(type: string): Modelled | undefined {
  const candidate = (client as unknown as Record<string, unknown>)[type];
  return typeof candidate === 'function' && 'getAttributeTypeMap' in candidate ? (candidate as unknown as Modelled) : undefined;
}

const GROUP_PREFIX: Record<string, string> = { 'admissionregistration.k8s.io/v1': 'Admissionregistration', 'apiextensions.k8s.io/v1': 'Apiextensions' };

/** Fields of `value` that the client-node model of `type` does not have, as JSON pointers. */
function unknownFields(value: unknown, type: string, path: string, apiVersion: string): string[] {
  if (value === null || typeof value !== 'object') return [];
  const array = /^Array<(.+)>$/.exec(type);
  if (array) return Array.isArray(value) ? value.flatMap((item, index) => unknownFields(item, array[1]!, `${path}/${index}`, apiVersion)) : [];
  const map = /^\{ \[key: string\]: (.+); \}$/.exec(type);
  if (map) return Object.entries(value).flatMap(([key, item]) => unknownFields(item, map[1]!, `${path}/${key}`, apiVersion));
  // A few model names carry the group (AdmissionregistrationV1ServiceReference, ApiextensionsV1WebhookClientConfig).
  const model = modelled(type) ?? modelled(`${GROUP_PREFIX[apiVersion] ?? ''}${type}`);
  if (!model) return [];
  const attributes = new Map(model.getAttributeTypeMap().map((attribute) => [attribute.baseName, attribute.type]));
  return Object.entries(value).flatMap(([key, member]) => {
    let memberType = attributes.get(key);
    if (memberType === undefined) return [`${path}/${key}`];
    // JSONSchemaProps.items and .additionalProperties are typed `any` (schema or bool) in the models.
    if (type === 'V1JSONSchemaProps' && (key === 'items' || key === 'additionalProperties' || key === 'not')) memberType = 'V1JSONSchemaProps';
    return unknownFields(member, memberType, `${path}/${key}`, apiVersion);
  });
}

/** Unknown fields of a built-in object (cert-manager's kinds have no client-node model: none are reported for them). */
export function unknownFieldProblems(object: Typed): string[] {
  if (object.apiVersion === 'cert-manager.io/v1') return [];
  const type = `V1${object.kind}`;
  if (!modelled(type)) return [`no client-node model V1${object.kind}`];
  return unknownFields(object, type, '', object.apiVersion);
}
