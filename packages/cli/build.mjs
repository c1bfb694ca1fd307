// Bundles the `armorkit` binary (dist/bin.js, replacing tsc's) with esbuild: the CLI, core, the official plugins and
// their JavaScript dependencies in a few files, because a cold start spent most of its time resolving and loading
// ~390 modules one by one (docs/cli.md#start-up). Each command and each plugin stays a chunk loaded when it is used.
// Run after `tsc -b` (the @armorkit packages are taken from their dist/): node packages/cli/build.mjs
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const cliDirectory = dirname(fileURLToPath(import.meta.url));
const packagesDirectory = dirname(cliDirectory);
const cliManifest = JSON.parse(readFileSync(join(cliDirectory, 'package.json'), 'utf8'));

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
const ownFileUrls = {
  name: 'own-file-urls',
  setup(builder) {
    builder.onLoad({ filter: /\.(js|ts)$/ }, (args) => {
      if (!args.path.startsWith(packagesDirectory + sep) || args.path.includes(`${sep}node_modules${sep}`)) return undefined;
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
    // Resolving a package costs about a millisecond; each is resolved once.
    builder.onLoad({ filter: /.*/, namespace: 'installed-file-url' }, () => ({
      contents: [
        'const roots = new Map();',
        'export function installedFileUrl(name, path) {',
        '  let root = roots.get(name);',
        '  if (root === undefined) roots.set(name, (root = import.meta.resolve(`${name}/package.json`)));',
        '  return new URL(path, root).href;',
        '}',
      ].join('\n'),
      loader: 'js',
    }));
  },
};

/**
 * koffi is a native addon, so it stays out of the bundle, required from the package that depends on it (the CLI does
 * not), and only when first used: loading it takes ~15 ms, which `validate`, `compile` and `explain` never need.
 */
const lazyKoffi = {
  name: 'lazy-koffi',
  setup(builder) {
    builder.onResolve({ filter: /^koffi$/ }, (args) => ({ path: installedPlace(args.importer).name, namespace: 'lazy-koffi' }));
    builder.onLoad({ filter: /.*/, namespace: 'lazy-koffi' }, (args) => ({
      contents: [
        "import { createRequire } from 'node:module';",
        'let koffi;',
        `const load = () => (koffi ??= createRequire(import.meta.resolve(${JSON.stringify(`${args.path}/package.json`)}))('koffi'));`,
        'export default new Proxy({}, { get: (_, key) => load()[key], has: (_, key) => key in load() });',
      ].join('\n'),
      loader: 'js',
    }));
  },
};

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
      contents: `export const bundledPackages = ${JSON.stringify(Object.fromEntries(bundledSpecifiers.map((specifier) => [specifier, `./${entryName(specifier)}.js`])))};`,
      loader: 'js',
    }));
  },
};

// Chunk names carry a hash of their content: the ones of an earlier build would stay behind.
for (const directory of ['chunks', 'packages']) rmSync(join(cliDirectory, 'dist', directory), { recursive: true, force: true });

const result = await build({
  entryPoints: {
    bin: join(cliDirectory, 'src/bin.ts'),
    ...Object.fromEntries(bundledSpecifiers.map((specifier) => [entryName(specifier), `bundled-package:${specifier}`])),
  },
  outdir: join(cliDirectory, 'dist'),
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // tsx is the CLI's own dependency, loaded only for armorkit.config.ts files.
  external: ['tsx', 'tsx/*', ...notInstalled.flatMap((name) => [name, `${name}/*`])],
  plugins: [bundledPackageEntries, ownFileUrls, lazyKoffi, englishZod],
  // The CommonJS dependencies (commander, tapable) call require() for Node's built-in modules.
  banner: { js: "import { createRequire as createRequireForBundle } from 'node:module'; const require = createRequireForBundle(import.meta.url);" },
  minifyWhitespace: true,
  minifySyntax: true,
  legalComments: 'none',
  logLevel: 'warning',
  allowOverwrite: true,
  // Paths in the metafile are relative to this directory, wherever the build is run from.
  absWorkingDir: cliDirectory,
  metafile: true,
});

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
  Object.entries(result.metafile.outputs)
    .filter(([output]) => output.endsWith('.js'))
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([output, { inputs }]) => [relative(join(cliDirectory, 'dist'), join(cliDirectory, output)), [...new Set(Object.keys(inputs).map(packageOf))].sort()]),
);
writeFileSync(join(cliDirectory, 'dist/bundle-contents.json'), `${JSON.stringify(contents, null, 2)}\n`);
