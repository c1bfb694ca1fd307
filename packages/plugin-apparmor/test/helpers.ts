import { builtinRules } from '@armorkit/builtin-rules';
import { type AppArmorPlan, type Engine, varmorDialect } from '@armorkit/core';
import { PolicyTester } from '@armorkit/core/testing';
import { readFileSync } from 'node:fs';
import { type AppArmorArtifact } from '../src/compile/compile-profile.js';
import { apparmor } from '../src/plugin.js';

export const CORPUS = new URL('../../../../shared/corpus/varmor', import.meta.url).pathname;

/** The AppArmor plugin with the built-in rules, its golden profiles in test/golden. */
export function apparmorTester(): PolicyTester {
  return new PolicyTester({ plugins: [varmorDialect(), apparmor()], rulePacks: [builtinRules], goldens: new URL('./golden/', import.meta.url) });
}

export function engine(): Engine {
  return apparmorTester().engine;
}

const shared = apparmorTester();

/** YAML → the AppArmor plan, through the real parse and resolve stages. */
export function planOf(yaml: string, file = 'policy.yaml', tester: PolicyTester = shared): AppArmorPlan {
  const appArmor = tester.plan(yaml, { file }).enforcers.AppArmor;
  if (!appArmor) throw new Error('no AppArmor plan');
  return appArmor;
}

/** YAML → the compiled AppArmor artifact (fails the test with the errors when compile fails). */
export function compileYaml(yaml: string, file = 'policy.yaml', tester: PolicyTester = shared): AppArmorArtifact {
  return tester.compile(yaml, 'AppArmor', { file });
}

export function corpusFile(name: string): string {
  return readFileSync(`${CORPUS}/${name}`, 'utf8');
}

export interface PolicyShape {
  name?: string;
  mode: 'AlwaysAllow' | 'RuntimeDefault' | 'EnhanceProtect' | 'BehaviorModeling' | 'DefenseInDepth';
  privileged?: boolean;
  auditViolations?: boolean;
  allowViolations?: boolean;
  hardeningRules?: string[];
  attackProtectionRules?: { rules: string[]; targets?: string[] }[];
  vulMitigationRules?: string[];
  appArmorRawRules?: { rules: string; targets?: string[] }[];
  customProfile?: string;
}

/** A VarmorPolicy document (as JSON, which is YAML) for the shape. */
export function policyYaml(shape: PolicyShape): string {
  const name = shape.name ?? 'demo';
  const policy: Record<string, unknown> = { enforcer: 'AppArmor', mode: shape.mode };
  if (shape.mode === 'EnhanceProtect') {
    policy.enhanceProtect = {
      privileged: shape.privileged ?? false,
      auditViolations: shape.auditViolations ?? false,
      allowViolations: shape.allowViolations ?? false,
      ...(shape.hardeningRules ? { hardeningRules: shape.hardeningRules } : {}),
      ...(shape.attackProtectionRules ? { attackProtectionRules: shape.attackProtectionRules } : {}),
      ...(shape.vulMitigationRules ? { vulMitigationRules: shape.vulMitigationRules } : {}),
      ...(shape.appArmorRawRules ? { appArmorRawRules: shape.appArmorRawRules } : {}),
    };
  }
  if (shape.mode === 'BehaviorModeling') policy.modelingOptions = { duration: 3 };
  if (shape.mode === 'DefenseInDepth') {
    policy.defenseInDepth = {
      allowViolations: shape.allowViolations ?? false,
      appArmor: {
        profileType: 'Custom',
        customProfile: shape.customProfile ?? `abi <abi/3.0>,\n#include <tunables/global>\n\nprofile varmor-demo-${name} flags=(attach_disconnected,mediate_deleted) {\n  #include <abstractions/base>\n  file,\n}\n`,
        ...(shape.appArmorRawRules ? { appArmorRawRules: shape.appArmorRawRules } : {}),
      },
    };
  }
  return JSON.stringify({
    apiVersion: 'crd.varmor.org/v1beta1',
    kind: 'VarmorPolicy',
    metadata: { name, namespace: 'demo' },
    spec: { target: { kind: 'Deployment', selector: { matchLabels: { app: name } } }, policy },
  });
}

/** ex6's custom profile is named varmor-demo-demo-4 while the policy is demo-6 (vArmor would not apply it); align it. */
export function fixProfileName(file: string, yaml: string): string {
  return file.startsWith('ex6__vpol-defense') ? yaml.replace('profile varmor-demo-demo-4 ', 'profile varmor-demo-demo-6 ') : yaml;
}
