#!/usr/bin/env node
// Writes docs/errors.md from the error codes the packages declare (defineErrors); `--check` only says whether it is
// up to date (exit 1 when not). Run after `pnpm run build-all`: it reads the built packages.
import { readFileSync, writeFileSync } from 'node:fs';

const load = (name) => import(new URL(`../packages/${name}/dist/index.js`, import.meta.url).href);
const [core, apparmor, seccomp, bpf, networkproxy, k8s, kubearmor] = await Promise.all(
  ['core', 'plugin-apparmor', 'plugin-seccomp', 'plugin-bpf', 'plugin-networkproxy', 'plugin-k8s', 'plugin-kubearmor'].map(load),
);
const text = core.renderErrorReference([core.coreErrors, apparmor.appArmorErrors, seccomp.seccompErrors, bpf.bpfErrors, networkproxy.networkProxyErrors, ...k8s.k8sErrorCatalogs, kubearmor.kubearmorErrors]);
const path = new URL('../docs/errors.md', import.meta.url);

if (process.argv.includes('--check')) {
  let current = '';
  try {
    current = readFileSync(path, 'utf8');
  } catch {
    // missing: stale
  }
  if (current !== text) {
    console.error('docs/errors.md is out of date: run node scripts/error-docs.mjs');
    process.exit(1);
  }
} else {
  writeFileSync(path, text);
  console.log('wrote docs/errors.md');
}
