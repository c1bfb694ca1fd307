import { defineErrors, type ErrorCatalog } from '@armorkit/core';
import { controllerErrors } from './controller/errors.js';
import { restartErrors } from './controller/restart/errors.js';
import { mutateErrors } from './mutate/errors.js';
import { renderErrors } from './render/errors.js';

/** The codes plugin-k8s raises: vArmor's update rules (validate/update-rules.ts) and what the validating webhook refuses. */
export const k8sErrors = defineErrors('@armorkit/plugin-k8s', {
  'target-immutable': { description: 'An update changed spec.target; a policy keeps its target for life (vArmor\'s rule). Delete the policy and create a new one to protect other workloads.' },
  'proxy-config-immutable': { description: 'An update changed networkProxyConfig.proxyUID, proxyPort or proxyAdminPort, which the pods already running use; delete and recreate the policy to change them.' },
  'modeling-mode-locked': { description: 'An update moved a policy out of BehaviorModeling while its status.phase is Modeling; wait for the modelling to complete (phase Completed) first.' },
  'modeling-enforcer-locked': { description: 'An update changed spec.policy.enforcer of a BehaviorModeling policy while its status.phase is Modeling; wait for the modelling to complete first.' },
  'enforcer-removed': { description: 'An update removed AppArmor, Seccomp or NetworkProxy from spec.policy.enforcer; pods already carry their profiles, so only BPF can be removed. Delete and recreate the policy instead.' },
  'previous-unreadable': { description: 'The previous version of a policy (oldObject, or validate --previous) is not a vArmor policy whose spec the update rules can read, so the update is refused rather than let through unchecked.' },
  'admission-kind-unsupported': { description: 'The validating webhook was sent an object that is not a VarmorPolicy or VarmorClusterPolicy (check the rules of the ValidatingWebhookConfiguration).' },
  'admission-object-missing': { description: 'A CREATE or UPDATE review came without request.object (or an UPDATE without request.oldObject).' },
});

export type K8sErrorCode = keyof typeof k8sErrors.codes;

/** Every catalog of plugin-k8s (the update rules and validating webhook, the mutating webhook, `k8s render`, the controller and its rolling restart), for docs/errors.md. */
export const k8sErrorCatalogs: readonly ErrorCatalog[] = [k8sErrors, mutateErrors, renderErrors, controllerErrors, restartErrors];
