// The packages' entry points stay narrow and honest: each exports map entry lists types, source and default and points
// at an entry file that names what it exports; every name is imported by another package, a test, a bench or an
// example, or is documented (README.md, docs/*.md); core's root carries no audit, schema or address names; a plugin's
// root exports its factory and error catalog as values; and what benches and examples import (plain JavaScript, which
// tsc does not check) exists where they import it from.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = new URL('../../../', import.meta.url).pathname;
const PACKAGES = ['core', 'builtin-rules', 'plugin-apparmor', 'plugin-seccomp', 'plugin-bpf', 'plugin-networkproxy', 'plugin-k8s', 'plugin-kubearmor'];
const SCANNED = ['packages', 'examples', 'bench'];
const CODE = /\.(ts|mts|mjs|js)$/;

interface Entry {
  specifier: string;
  packageDirectory: string;
  conditions: Record<string, string>;
  /** The entry file's exported names (syntactic: an entry file lists them). */
  names: Set<string>;
}

interface Use {
  file: string;
  /** A package specifier, or a path relative to the repository for a file of another package. */
  target: string;
  name: string;
}

function sourceFile(path: string): ts.SourceFile {
  return ts.createSourceFile(path, readFileSync(path, 'utf8'), ts.ScriptTarget.Latest, true);
}

/** The names a module file exports, and whether it re-exports a whole module (`export *`). */
function exportedNames(path: string): { names: Set<string>; wholeModules: string[] } {
  const names = new Set<string>();
  const wholeModules: string[] = [];
  for (const statement of sourceFile(path).statements) {
    if (ts.isExportDeclaration(statement)) {
      if (!statement.exportClause) wholeModules.push(statement.getText());
      else if (ts.isNamedExports(statement.exportClause)) for (const element of statement.exportClause.elements) names.add(element.name.text);
      continue;
    }
    const modifiers = ts.canHaveModifiers(statement) ? (ts.getModifiers(statement) ?? []) : [];
    if (!modifiers.some((modifier) => modifier.kind === ts.SyntaxKind.ExportKeyword)) continue;
    if (modifiers.some((modifier) => modifier.kind === ts.SyntaxKind.DefaultKeyword)) names.add('default');
    if (ts.isVariableStatement(statement)) for (const declaration of statement.declarationList.declarations) names.add(declaration.name.getText());
    else if ('name' in statement && statement.name && ts.isIdentifier(statement.name as ts.Node)) names.add((statement.name as ts.Identifier).text);
  }
  return { names, wholeModules };
}

function entries(): Entry[] {
  return PACKAGES.flatMap((directory) => {
    const packageDirectory = join(ROOT, 'packages', directory);
    const manifest = JSON.parse(readFileSync(join(packageDirectory, 'package.json'), 'utf8')) as { name: string; exports: Record<string, unknown> };
    return Object.entries(manifest.exports)
      .filter(([key]) => key !== './package.json')
      .map(([key, conditions]) => {
        const map = conditions as Record<string, string>;
        const source = join(packageDirectory, map.source ?? '');
        return {
          specifier: key === '.' ? manifest.name : `${manifest.name}/${key.slice(2)}`,
          packageDirectory,
          conditions: map,
          names: existsSync(source) ? exportedNames(source).names : new Set<string>(),
        };
      });
  });
}

function codeFiles(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    if (entry.name === 'node_modules' || entry.name === 'dist' || entry.name.startsWith('.')) return [];
    const path = join(directory, entry.name);
    if (entry.isDirectory()) return codeFiles(path);
    return CODE.test(entry.name) ? [path] : [];
  });
}

/** What a specifier written in `file` names: a package entry, or a module file of another package. */
function targetOf(file: string, specifier: string): string | undefined {
  if (specifier.startsWith('@armorkit/')) return specifier;
  if (!specifier.startsWith('.')) return undefined;
  const path = relative(ROOT, resolve(dirname(file), specifier));
  const owner = /^packages\/[^/]+\//.exec(relative(ROOT, file))?.[0];
  return /^packages\/[^/]+\/(dist|src)\//.test(path) && !path.startsWith(owner ?? '\0') ? path : undefined;
}

/** Every name imported (statically, dynamically, or augmented with `declare module`) from another package. */
function uses(): Use[] {
  const found: Use[] = [];
  for (const file of SCANNED.flatMap((directory) => codeFiles(join(ROOT, directory)))) {
    const add = (specifier: string, name: string) => {
      const target = targetOf(file, specifier);
      if (target) found.push({ file: relative(ROOT, file), target, name });
    };
    const visit = (node: ts.Node): void => {
      if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier) && node.importClause) {
        const { name, namedBindings } = node.importClause;
        if (name) add(node.moduleSpecifier.text, 'default');
        if (namedBindings && ts.isNamedImports(namedBindings)) for (const element of namedBindings.elements) add(node.moduleSpecifier.text, (element.propertyName ?? element.name).text);
      }
      if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier) && node.exportClause && ts.isNamedExports(node.exportClause)) {
        for (const element of node.exportClause.elements) add(node.moduleSpecifier.text, (element.propertyName ?? element.name).text);
      }
      if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword && node.arguments[0] && ts.isStringLiteral(node.arguments[0])) {
        // const { a, b } = await import('x'), or (await import('x')).default
        const specifier = node.arguments[0].text;
        const awaited = ts.isAwaitExpression(node.parent) ? node.parent : node;
        const holder = ts.isParenthesizedExpression(awaited.parent) ? awaited.parent.parent : awaited.parent;
        if (ts.isVariableDeclaration(holder) && ts.isObjectBindingPattern(holder.name)) {
          for (const element of holder.name.elements) add(specifier, (element.propertyName ?? element.name).getText());
        } else if (ts.isPropertyAccessExpression(holder)) add(specifier, holder.name.text);
      }
      if (ts.isModuleDeclaration(node) && ts.isStringLiteral(node.name) && node.body && ts.isModuleBlock(node.body)) {
        for (const statement of node.body.statements) if (ts.isInterfaceDeclaration(statement)) add(node.name.text, statement.name.text);
      }
      ts.forEachChild(node, visit);
    };
    visit(sourceFile(file));
  }
  return found;
}

/** Every identifier written in code (spans and blocks) of README.md and docs/*.md. */
function documentedNames(): Set<string> {
  const pages = [join(ROOT, 'README.md'), ...readdirSync(join(ROOT, 'docs')).filter((name) => name.endsWith('.md')).map((name) => join(ROOT, 'docs', name))];
  const code = pages.flatMap((page) => readFileSync(page, 'utf8').match(/```[\s\S]*?```|`[^`\n]+`/g) ?? []);
  return new Set(code.flatMap((text) => text.match(/[A-Za-z_$][\w$]*/g) ?? []));
}

const ENTRIES = entries();
const USES = uses();
const DOCUMENTED = documentedNames();
const entryOf = (specifier: string) => ENTRIES.find((entry) => entry.specifier === specifier);
/** The entry a built file is, if it is one (benches import dist files by path). */
const entryAt = (path: string) => ENTRIES.find((entry) => join(entry.packageDirectory, entry.conditions.default ?? '') === join(ROOT, path));

describe('package entry points', () => {
  it('lists types first, then source and default, for every entry, and each file exists', () => {
    for (const entry of ENTRIES) {
      expect(Object.keys(entry.conditions), entry.specifier).toEqual(['types', 'source', 'default']);
      for (const path of Object.values(entry.conditions)) {
        const file = join(entry.packageDirectory, path);
        // dist files exist once built; their source is what the repository holds
        expect(existsSync(path.startsWith('./dist/') ? file.replace('/dist/', '/src/').replace(/\.d\.ts$|\.js$/, '.ts') : file), `${entry.specifier}: ${path}`).toBe(true);
      }
    }
  });

  it('names every export in the entry file (no export * of a whole module)', () => {
    for (const entry of ENTRIES) {
      const source = join(entry.packageDirectory, entry.conditions.source ?? '');
      expect(exportedNames(source).wholeModules, entry.specifier).toEqual([]);
    }
  });

  it('exports only names another package, a test, a bench or an example imports, or the docs show', () => {
    const unused = ENTRIES.flatMap((entry) =>
      [...entry.names]
        .filter((name) => name !== 'default' && !DOCUMENTED.has(name))
        .filter((name) => !USES.some((use) => use.name === name && (use.target === entry.specifier || entryAt(use.target) === entry)))
        .map((name) => `${entry.specifier}: ${name}`),
    );
    expect(unused).toEqual([]);
  });

  it('keeps audit, schema and address names out of the root of @armorkit/core', () => {
    const root = entryOf('@armorkit/core')!;
    for (const specifier of ['@armorkit/core/audit', '@armorkit/core/schema', '@armorkit/core/address']) {
      const subpath = entryOf(specifier)!;
      expect([...subpath.names].filter((name) => root.names.has(name)), specifier).toEqual([]);
    }
    for (const name of ['ViolationEvent', 'AuditLogDecoder', 'fileSink', 'varmorPolicySchema', 'linuxSeccompSchema', 'policyJsonSchema', 'parseIp']) {
      expect(root.names.has(name), name).toBe(false);
    }
  });

  it("exports from a plugin's root only its factory and its error catalog as values", async () => {
    expect(Object.keys(await import('@armorkit/plugin-apparmor')).sort()).toEqual(['appArmorErrors', 'apparmor', 'default']);
    expect(Object.keys(await import('@armorkit/plugin-seccomp')).sort()).toEqual(['default', 'seccomp', 'seccompErrors']);
    expect(Object.keys(await import('@armorkit/plugin-bpf')).sort()).toEqual(['bpf', 'bpfErrors', 'default']);
    expect(Object.keys(await import('@armorkit/plugin-networkproxy')).sort()).toEqual(['default', 'networkProxyErrors', 'networkproxy']);
    expect(Object.keys(await import('@armorkit/plugin-kubearmor')).sort()).toEqual(['default', 'kubearmor', 'kubearmorErrors']);
    expect(Object.keys(await import('@armorkit/builtin-rules')).sort()).toEqual(['BPF_DISK_DEVICE_PATTERN', 'builtinRules', 'default']);
  });

  it('finds every name a file imports from another package where it imports it from', () => {
    const missing = USES.filter((use) => {
      const entry = entryOf(use.target) ?? entryAt(use.target);
      if (entry) return !entry.names.has(use.name);
      if (use.target.startsWith('@armorkit/')) return !PACKAGES.some((directory) => use.target === `@armorkit/${directory}`) && !use.target.startsWith('@armorkit/kernel-lab') && !use.target.startsWith('@armorkit/cli');
      // A module file of another package (benches measuring an internal): its source must export the name.
      const source = join(ROOT, use.target.replace(/^(packages\/[^/]+)\/dist\//, '$1/src/').replace(/\.js$/, '.ts'));
      return !existsSync(source) || !exportedNames(source).names.has(use.name);
    });
    expect(missing.map((use) => `${use.file}: ${use.name} from ${use.target}`)).toEqual([]);
  });
});
