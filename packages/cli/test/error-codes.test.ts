import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { coreErrors, createEngine, type ErrorCatalog, renderErrorReference, varmorDialect } from '@armorkit/core';
import { apparmor, appArmorErrors } from '@armorkit/plugin-apparmor';
import { bpf, bpfErrors } from '@armorkit/plugin-bpf';
import { k8sErrorCatalogs } from '@armorkit/plugin-k8s';
import { kubearmor, kubearmorErrors } from '@armorkit/plugin-kubearmor';
import { networkproxy, networkProxyErrors } from '@armorkit/plugin-networkproxy';
import { seccomp, seccompErrors } from '@armorkit/plugin-seccomp';
import { describe, expect, it } from 'vitest';

const ROOT = new URL('../../../', import.meta.url).pathname;
// The catalogs of the engine's plugins, and of the packages beside the engine (plugin-k8s's webhooks) that raise codes too.
const ENGINE_CATALOGS: ErrorCatalog[] = [coreErrors, appArmorErrors, seccompErrors, bpfErrors, networkProxyErrors, kubearmorErrors];
// docs/errors.md lists them in the order scripts/error-docs.mjs gives them.
const CATALOGS: ErrorCatalog[] = [...ENGINE_CATALOGS.filter((catalog) => catalog !== kubearmorErrors), ...k8sErrorCatalogs, kubearmorErrors];
// Packages whose problems are PolicyErrors. Audit decoding (src/audit) yields events, not PolicyErrors; kernel-lab
// has its own LabError.
const SCANNED = ['core', 'builtin-rules', 'plugin-apparmor', 'plugin-seccomp', 'plugin-bpf', 'plugin-networkproxy', 'plugin-k8s', 'plugin-kubearmor', 'cli'];
// zod's own issue codes, which the schemas pass to ctx.addIssue (our code goes in params.code).
const ZOD_ISSUE_CODES = new Set(['custom', 'invalid_type', 'invalid_format', 'invalid_value', 'too_big', 'too_small', 'unrecognized_keys', 'invalid_union']);
// Where a code is written: a PolicyError made by hand, by a catalog, by a builder, from a text problem, or a schema check.
const CODE_POSITIONS = [
  /\bpolicyError\(\s*(['"`])([^'"`$]+)\1/g,
  /\.(?:error|warning)\(\s*(['"`])([^'"`$]+)\1/g,
  /\bcode:\s*(['"`])([^'"`$]+)\1/g,
  /\b(?:textProblemError|withValue)\(\s*(['"`])([^'"`$]+)\1/g,
  /\bat\(\s*'[^']*',\s*(['"`])([^'"`$]+)\1/g,
  /\breport\(\s*(?:\[[^\]]*\]|\w+),\s*(['"`])([^'"`$]+)\1/g,
];

function sourceFiles(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) return entry.name === 'audit' ? [] : sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** Every code written in a code position of the scanned sources, with the files that write it. */
function raisedCodes(): Map<string, string[]> {
  const raised = new Map<string, string[]>();
  for (const file of SCANNED.flatMap((name) => sourceFiles(join(ROOT, 'packages', name, 'src')))) {
    const text = readFileSync(file, 'utf8');
    for (const pattern of CODE_POSITIONS) {
      for (const match of text.matchAll(pattern)) {
        const code = match[2]!;
        if (ZOD_ISSUE_CODES.has(code)) continue;
        raised.set(code, [...(raised.get(code) ?? []), relative(ROOT, file)]);
      }
    }
  }
  return raised;
}

describe('error codes', () => {
  it('every code the sources raise is declared by a package (defineErrors)', () => {
    const declared = new Set(CATALOGS.flatMap((catalog) => Object.keys(catalog.codes)));
    const raised = raisedCodes();
    // The scan must see the codes it is meant to see, or it checks nothing.
    expect(raised.size).toBeGreaterThan(60);
    for (const code of ['plugin-failed', 'behavior-model-missing', 'apparmor-parser-missing', 'unknown-syscall', 'bpf-target-missing', 'unknown-field']) {
      expect(raised.has(code), code).toBe(true);
    }
    const undeclared = [...raised].filter(([code]) => !declared.has(code)).map(([code, files]) => `${code} (${[...new Set(files)].join(', ')})`);
    expect(undeclared).toEqual([]);
  });

  it('are unique across the official plugins, so the default engine can be built', () => {
    const engine = createEngine({ plugins: [varmorDialect(), apparmor(), seccomp(), bpf(), networkproxy(), kubearmor()] });
    expect(engine.errorCodes.size).toBe(ENGINE_CATALOGS.reduce((count, catalog) => count + Object.keys(catalog.codes).length, 0));
    expect(k8sErrorCatalogs.flatMap((catalog) => Object.keys(catalog.codes)).filter((code) => engine.errorCodes.has(code))).toEqual([]);
    expect(engine.installed.map((installed) => `${installed.enforcer} ${installed.meta.name}`)).toEqual([
      'AppArmor @armorkit/plugin-apparmor',
      'BPF @armorkit/plugin-bpf',
      'Seccomp @armorkit/plugin-seccomp',
      'NetworkProxy @armorkit/plugin-networkproxy',
    ]);
  });

  it('docs/errors.md is what scripts/error-docs.mjs writes from the declarations', () => {
    expect(readFileSync(join(ROOT, 'docs/errors.md'), 'utf8')).toBe(renderErrorReference(CATALOGS));
  });
});
