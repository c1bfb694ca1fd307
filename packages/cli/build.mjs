// Bundles the `armorkit` binary (dist/bin.js, replacing tsc's) with esbuild: the CLI, core, the official plugins and
// their JavaScript dependencies in a few files, because a cold start spent most of its time resolving and loading
// ~390 modules one by one (docs/cli.md#start-up). Each command and each plugin stays a chunk loaded when it is used.
// `validate` and `audit` run other builds of the same code, dist/cli.cjs and dist/audit.cjs, each one classic script
// with a V8 code cache beside it.
// Run after `tsc -b` (the @armorkit packages are taken from their dist/): node packages/cli/build.mjs
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const cliDirectory = dirname(fileURLToPath(import.meta.url));
const packagesDirectory = dirname(cliDirectory);
const cliManifest = JSON.parse(readFileSync(join(cliDirectory, 'package.json'), 'utf8'));
/**
 * The classic-script CLIs, next to dist/bin.js, by the command each one runs (src/bundled-packages.ts,
 * src/code-cache.ts): `validate`'s start is most of what a user waits for, `audit`'s a tenth of a whole log's.
 */
const CACHED_COMMANDS = { validate: 'cli.cjs', audit: 'audit.cjs' };

/** The workspace package a file belongs to, and the file's path inside it as it is installed (src/x.ts runs as dist/x.js). */
function installedPlace(file) {
  const [directory, ...rest] = relative(packagesDirectory, file).split(sep);
  const { name } = JSON.parse(readFileSync(join(packagesDirectory, directory, 'package.json'), 'utf8'));
  const inside = rest.join('/');
  return { name, path: directory === 'cli' ? inside.replace(/^src\//, 'dist/').replace(/\.ts$/, '.js') : inside };
}

/**
 * `import.meta.url` in a bundled module would name the bundle, but the code means its own file: package.json above
 * it (readPackageMeta), core's native library, plugin-bpf's C sources, the helper scripts `armorkit run` spawns.
 * Each use becomes the URL of that file in its installed package, found through the package's name at run time.
 */
const ownFileUrls = (format) => ({
  name: 'own-file-urls',
  setup(builder) {
    builder.onLoad({ filter: /\.(js|ts)$/ }, (args) => {
      if (!args.path.startsWith(packagesDirectory + sep) || args.path.includes(`${sep}node_modules${sep}`)) return undefined;
      // The entry is bundled into dist/bin.js, the very file its import.meta.url names.
      if (args.path === join(cliDirectory, 'src/bin.ts')) return undefined;
      const text = readFileSync(args.path, 'utf8');
      if (!text.includes('import.meta.url')) return undefined;
      const { name, path } = installedPlace(args.path);
      const url = `installedFileUrl(${JSON.stringify(name)}, ${JSON.stringify(path)})`;
      return {
        contents: `import { installedFileUrl } from 'installed-file-url';\n${text.replaceAll('import.meta.url', url)}`,
        loader: args.path.endsWith('.ts') ? 'ts' : 'js',
        resolveDir: dirname(args.path),
      };
    });
    builder.onResolve({ filter: /^installed-file-url$/ }, () => ({ path: 'installed-file-url', namespace: 'installed-file-url' }));
    // Resolving a package through Node costs a few milliseconds of CPU each (its resolver reads the manifest and
    // follows links), so the root is first looked for as Node looks for it, in node_modules directories up from this
    // file, and resolved only when not found there (Yarn PnP). The classic script (cli.cjs) has no import.meta: it
    // resolves from its own file, as CommonJS does. The CLI's own root is where this module is: dist/chunks/ in the
    // modules (checked below), dist/cli.cjs itself in the classic script.
    const here = format === 'esm' ? 'fileURLToPath(import.meta.url)' : '__filename';
    const resolvePackage =
      format === 'esm' ? 'import.meta.resolve(`${name}/package.json`)' : 'pathToFileURL(createRequire(__filename).resolve(`${name}/package.json`)).href';
    const cliRoot = format === 'esm' ? "new URL('../../', import.meta.url).href" : "pathToFileURL(__dirname + '/../').href";
    builder.onLoad({ filter: /.*/, namespace: 'installed-file-url' }, () => ({
      contents: [
        "import { existsSync } from 'node:fs';",
        "import { dirname, join, sep } from 'node:path';",
        "import { fileURLToPath, pathToFileURL } from 'node:url';",
        ...(format === 'esm' ? [] : ["import { createRequire } from 'node:module';"]),
        `const roots = new Map([[${JSON.stringify(cliManifest.name)}, ${cliRoot}]]);`,
        'function lookUp(name) {',
        `  for (let directory = dirname(${here}); ; directory = dirname(directory)) {`,
        '    const manifest = join(directory, "node_modules", name, "package.json");',
        '    if (!directory.endsWith(`${sep}node_modules`) && existsSync(manifest)) return pathToFileURL(manifest).href;',
        '    if (dirname(directory) === directory) return undefined;',
        '  }',
        '}',
        'export function installedFileUrl(name, path) {',
        '  let root = roots.get(name);',
        `  if (root === undefined) roots.set(name, (root = lookUp(name) ?? ${resolvePackage}));`,
        '  return new URL(path, root).href;',
        '}',
      ].join('\n'),
      loader: 'js',
    }));
  },
});

/**
 * koffi is a native addon, so it stays out of the bundle, required from the package that depends on it (the CLI does
 * not), and only when first used: loading it takes ~15 ms, which `validate`, `compile` and `explain` never need.
 */
const lazyKoffi = (format) => ({
  name: 'lazy-koffi',
  setup(builder) {
    builder.onResolve({ filter: /^koffi$/ }, (args) => ({ path: installedPlace(args.importer).name, namespace: 'lazy-koffi' }));
    builder.onLoad({ filter: /.*/, namespace: 'lazy-koffi' }, (args) => {
      const manifest = JSON.stringify(`${args.path}/package.json`);
      const from = format === 'esm' ? `import.meta.resolve(${manifest})` : `createRequire(__filename).resolve(${manifest})`;
      return {
        contents: [
          "import { createRequire } from 'node:module';",
          'let koffi;',
          `const load = () => (koffi ??= createRequire(${from})('koffi'));`,
          'export default new Proxy({}, { get: (_, key) => load()[key], has: (_, key) => key in load() });',
        ].join('\n'),
        loader: 'js',
      };
    });
  },
});

/**
 * zod's `z.locales` namespace holds the error messages of ~50 languages: a third of the bundle's largest chunk, parsed
 * on every start. armorkit words its own messages and never calls `z.config(z.locales.x())`, so only English stays.
 */
const englishZod = {
  name: 'english-zod',
  setup(builder) {
    builder.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
      /[\\/]zod[\\/]v4[\\/](classic|core)[\\/][^\\/]+\.js$/.test(args.importer) ? { path: join(dirname(args.importer), '../locales/en.js'), namespace: 'english-zod' } : undefined,
    );
    builder.onLoad({ filter: /.*/, namespace: 'english-zod' }, (args) => ({
      contents: `export { default as en } from ${JSON.stringify(args.path)};`,
      loader: 'js',
      resolveDir: dirname(args.path),
    }));
  },
};

/**
 * A cached CLI runs one command only (bin.ts sends it nothing else), so main.ts's other commands are left out of it:
 * each dynamic import of one becomes a module that says so, never evaluated, and their code (kernel-lab, for
 * validate the audit readers and sinks, ...) is neither read nor cached.
 */
const commandOnly = (command, file) => ({
  name: 'command-only',
  setup(builder) {
    builder.onResolve({ filter: /^\.\/commands\/.*\.js$/ }, (args) =>
      args.importer === join(cliDirectory, 'src/main.ts') && args.kind === 'dynamic-import' && !args.path.startsWith(`./commands/${command}`)
        ? { path: args.path, namespace: 'command-only' }
        : undefined,
    );
    builder.onLoad({ filter: /.*/, namespace: 'command-only' }, (args) => ({
      contents: `throw new Error(${JSON.stringify(`${args.path} is not in ${file}, which runs ${command} only (bin.ts)`)});`,
      loader: 'js',
    }));
  },
});

/**
 * `import { z } from 'zod'` hands over zod's whole namespace object, so esbuild keeps all of zod (JSON Schema
 * conversion, the schema compiler, ...). Imported as `import * as z` from the module that namespace is, each
 * `z.object` is a plain reference and what armorkit does not call is left out. Same module, same objects.
 */
const zodByName = {
  name: 'zod-by-name',
  setup(builder) {
    builder.onLoad({ filter: /\.(js|ts)$/ }, (args) => {
      if (!args.path.startsWith(packagesDirectory + sep) || args.path.includes(`${sep}node_modules${sep}`)) return undefined;
      const text = readFileSync(args.path, 'utf8');
      if (!text.includes("import { z } from 'zod';")) return undefined;
      return {
        contents: text.replace("import { z } from 'zod';", "import * as z from 'zod-namespace';"),
        loader: args.path.endsWith('.ts') ? 'ts' : 'js',
        resolveDir: dirname(args.path),
      };
    });
    builder.onResolve({ filter: /^zod-namespace$/ }, async (args) => {
      const zod = await builder.resolve('zod', { kind: 'import-statement', resolveDir: args.resolveDir });
      return { path: join(dirname(zod.path), 'v4/classic/external.js') };
    });
  },
};

/**
 * No module of the workspace does anything on import that another relies on (none is imported for its effects
 * alone), so in a cached CLI a module none of whose exports its command uses is left out, not evaluated: the barrel of
 * @armorkit/core/audit, which a plugin imports for its record declaration, brought the log readers and sinks.
 */
const workspaceWithoutSideEffects = {
  name: 'workspace-without-side-effects',
  setup(builder) {
    builder.onResolve({ filter: /.*/ }, async (args) => {
      if (args.pluginData?.workspaceWithoutSideEffects || args.namespace !== 'file' || args.kind === 'entry-point') return undefined;
      const { importer, namespace, resolveDir, kind, with: attributes } = args;
      const resolved = await builder.resolve(args.path, { importer, namespace, resolveDir, kind, with: attributes, pluginData: { workspaceWithoutSideEffects: true } });
      if (resolved.errors.length > 0 || resolved.external || resolved.namespace !== 'file') return undefined;
      if (!resolved.path.startsWith(packagesDirectory + sep) || resolved.path.includes(`${sep}node_modules${sep}`)) return undefined;
      return { ...resolved, sideEffects: false };
    });
  },
};

/** The @armorkit packages the bundle holds, with every subpath they export: a config file imports these copies. */
const workspacePackages = readdirSync(packagesDirectory)
  .map((directory) => JSON.parse(readFileSync(join(packagesDirectory, directory, 'package.json'), 'utf8')))
  .filter((manifest) => manifest.name !== '@armorkit/cli' && manifest.name in { ...cliManifest.dependencies });
const bundledSpecifiers = workspacePackages.flatMap((manifest) =>
  Object.keys(manifest.exports ?? { '.': '' })
    .filter((subpath) => subpath !== './package.json')
    .map((subpath) => (subpath === '.' ? manifest.name : `${manifest.name}${subpath.slice(1)}`)),
);
// What a package needs only for its tests (a devDependency or peer, such as a test kit's runner) is not installed
// with it: a subpath that imports one stays a chunk of its own that imports it, loaded only if a config does.
const installed = new Set(workspacePackages.concat(cliManifest).flatMap((manifest) => Object.keys({ ...manifest.dependencies })));
const notInstalled = [
  ...new Set(workspacePackages.flatMap((manifest) => Object.keys({ ...manifest.devDependencies, ...manifest.peerDependencies }))),
].filter((name) => !name.startsWith('@armorkit/') && !installed.has(name) && name !== 'koffi');
const entryName = (specifier) => `packages/${specifier.replace(/^@armorkit\//, '').replaceAll('/', '-')}`;

/** One entry per package specifier, re-exporting the bundled module (its default too), and the table of them. */
const bundledPackageEntries = {
  name: 'bundled-package-entries',
  setup(builder) {
    builder.onResolve({ filter: /^bundled-package:/ }, (args) => ({ path: args.path.slice('bundled-package:'.length), namespace: 'bundled-package' }));
    builder.onLoad({ filter: /.*/, namespace: 'bundled-package' }, async (args) => {
      const exported = await import(args.path);
      const lines = [`export * from ${JSON.stringify(args.path)};`];
      if ('default' in exported) lines.push(`export { default } from ${JSON.stringify(args.path)};`);
      return { contents: lines.join('\n'), loader: 'js', resolveDir: cliDirectory };
    });
    builder.onLoad({ filter: /[\\/]src[\\/]bundled-packages\.ts$/ }, () => ({
      contents: [
        `export const bundledPackages = ${JSON.stringify(Object.fromEntries(bundledSpecifiers.map((specifier) => [specifier, `./${entryName(specifier)}.js`])))};`,
        `export const cachedCommands = ${builder.initialOptions.format === 'esm' ? JSON.stringify(Object.fromEntries(Object.entries(CACHED_COMMANDS).map(([command, file]) => [command, `./${file}`]))) : 'undefined'};`,
      ].join('\n'),
      loader: 'js',
    }));
  },
};

// Chunk names carry a hash of their content: the ones of an earlier build would stay behind.
for (const directory of ['chunks', 'packages']) rmSync(join(cliDirectory, 'dist', directory), { recursive: true, force: true });

/** What both builds share: bundled for Node 20, whitespace and syntax minified, a metafile to say what each file holds. */
const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  // tsx is the CLI's own dependency, loaded only for armorkit.config.ts files.
  external: ['tsx', 'tsx/*', ...notInstalled.flatMap((name) => [name, `${name}/*`])],
  minifyWhitespace: true,
  minifySyntax: true,
  legalComments: 'none',
  logLevel: 'warning',
  allowOverwrite: true,
  // Paths in the metafile are relative to this directory, wherever the build is run from.
  absWorkingDir: cliDirectory,
  metafile: true,
};

const result = await build({
  ...common,
  entryPoints: {
    bin: join(cliDirectory, 'src/bin.ts'),
    ...Object.fromEntries(bundledSpecifiers.map((specifier) => [entryName(specifier), `bundled-package:${specifier}`])),
  },
  outdir: join(cliDirectory, 'dist'),
  chunkNames: 'chunks/[name]-[hash]',
  splitting: true,
  format: 'esm',
  plugins: [zodByName, bundledPackageEntries, ownFileUrls('esm'), lazyKoffi('esm'), englishZod],
  // The CommonJS dependencies (commander, tapable) call require() for Node's built-in modules.
  banner: { js: "import { createRequire as createRequireForBundle } from 'node:module'; const require = createRequireForBundle(import.meta.url);" },
});

// The CLI's root is found from where installed-file-url lands (above): a chunk of its own, in dist/chunks/.
const installedFileUrlOutputs = Object.entries(result.metafile.outputs).filter(([, { inputs }]) => 'installed-file-url:installed-file-url' in inputs);
if (installedFileUrlOutputs.length !== 1 || !installedFileUrlOutputs[0][0].startsWith('dist/chunks/')) {
  throw new Error(`installed-file-url is in ${installedFileUrlOutputs.map(([output]) => output).join(', ')}, not in one chunk of dist/chunks/`);
}

/**
 * dist/cli.cjs and dist/audit.cjs: the same CLI for `validate` and for `audit` (main.ts and what the command imports,
 * each module evaluated only when used) as one CommonJS file each, which bin.ts runs through code-cache.ts with
 * `<file>.cache`. Node 20 keeps no code cache for ES modules; for a classic script V8 takes one, and compiling the
 * bundle was a third of `validate`'s start.
 */
const cachedResults = [];
for (const [command, file] of Object.entries(CACHED_COMMANDS)) {
  cachedResults.push(
    await build({
      ...common,
      entryPoints: { [file.replace(/\.cjs$/, '')]: join(cliDirectory, 'src/main.ts') },
      outdir: join(cliDirectory, 'dist'),
      outExtension: { '.js': '.cjs' },
      format: 'cjs',
      plugins: [commandOnly(command, file), zodByName, bundledPackageEntries, ownFileUrls('cjs'), lazyKoffi('cjs'), englishZod, workspaceWithoutSideEffects],
    }),
  );
}

// Each cache holds what a run compiled, silently, in this process (the same node, with no V8 flags, as a user's
// `armorkit`): `validate --no-verify` of an example policy; `audit` of a generated log (bench/audit-log.mjs, the
// records of both decoders) into a scratch file. A Node whose V8 differs refuses a cache and compiles anew.
const { runCachedScript, writeCodeCache } = await import(pathToFileURL(join(cliDirectory, 'dist/code-cache.js')).href);
const scratch = mkdtempSync(join(tmpdir(), 'armorkit-build-'));
try {
  const warmUpLog = join(scratch, 'audit.log');
  const { auditLog } = await import(pathToFileURL(join(packagesDirectory, '../bench/audit-log.mjs')).href);
  writeFileSync(warmUpLog, `${[...auditLog(2000)].join('\n')}\n`);
  const warmUps = {
    validate: ['validate', '--no-verify', join(packagesDirectory, '../examples/policies/web-frontend-apparmor.yaml')],
    audit: ['audit', '--quiet', '--log', join(scratch, 'violations.log'), warmUpLog],
  };
  for (const [command, file] of Object.entries(CACHED_COMMANDS)) {
    const cachedFile = join(cliDirectory, 'dist', file);
    rmSync(`${cachedFile}.cache`, { force: true });
    const warmUp = runCachedScript(cachedFile);
    const lines = [];
    const io = { out: (text) => lines.push(text), err: (text) => lines.push(text), cwd: scratch };
    const code = await warmUp.exports.main(warmUps[command], io);
    if (code !== 0) throw new Error(`the warm-up ${warmUps[command].join(' ')} failed (${code}): ${lines.join('\n')}`);
    writeCodeCache(cachedFile, warmUp);
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}

/** The package an input of the bundle comes from: a workspace package, a dependency, or one of the plugins above. */
function packageOf(input) {
  const [namespace, path] = input.includes(':') ? input.split(/:(.*)/s) : ['file', input];
  if (namespace === 'bundled-package') return path;
  if (namespace !== 'file') return namespace === 'lazy-koffi' ? 'koffi' : namespace;
  const dependency = /node_modules[\\/](?:\.pnpm[\\/][^\\/]+[\\/]node_modules[\\/])?((?:@[^\\/]+[\\/])?[^\\/]+)/.exec(path);
  return dependency ? dependency[1].replace('\\', '/') : installedPlace(join(cliDirectory, path)).name;
}

// dist/bundle-contents.json: which packages each output file holds, so a test can tell what a command loaded.
const contents = Object.fromEntries(
  Object.entries(Object.assign({}, result.metafile.outputs, ...cachedResults.map(({ metafile }) => metafile.outputs)))
    .filter(([output]) => /\.c?js$/.test(output))
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([output, { inputs }]) => [relative(join(cliDirectory, 'dist'), join(cliDirectory, output)), [...new Set(Object.keys(inputs).map(packageOf))].sort()]),
);
writeFileSync(join(cliDirectory, 'dist/bundle-contents.json'), `${JSON.stringify(contents, null, 2)}\n`);

// ARMORKIT_METAFILE=path writes esbuild's metafiles there (both builds), to see what each file holds and its bytes.
if (process.env.ARMORKIT_METAFILE) writeFileSync(process.env.ARMORKIT_METAFILE, JSON.stringify([result.metafile, ...cachedResults.map(({ metafile }) => metafile)]));
