// An engine of one enforcer, the minimal one in egress-list.mjs: `armorkit --config egress-list.config.mjs compile egress-policy.yaml`.
import { defineConfig } from '@armorkit/core';
import egressList from './egress-list.mjs';

export default defineConfig({ extendDefaults: false, plugins: [egressList()] });
