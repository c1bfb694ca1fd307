import { defineEnforcer, definePlugin, readPackageMeta } from '@armorkit/core';
import { compileEgressList } from './compile.js';
import { egressListErrors } from './errors.js';
import { loadEgressList } from './load.js';

const meta = readPackageMeta(import.meta.url);

/** The plugin: one backend for NetworkProxy (compile and load), and the error codes it raises. */
export const egressAllowList = definePlugin(() => ({
  name: 'egress-allow-list',
  meta,
  errors: egressListErrors,
  backends: [defineEnforcer({ enforcer: 'NetworkProxy', compile: compileEgressList, load: loadEgressList })],
}));
