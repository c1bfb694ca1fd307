// An engine of exactly what this project uses: AppArmor with a custom parser path, seccomp, the built-in rules
// and a third-party rule pack. Run from this directory: `armorkit compile policy.yaml`.
import { defineConfig } from '@armorkit/core';
import builtinRules from '@armorkit/builtin-rules';
import apparmor from '@armorkit/plugin-apparmor';
import seccomp from '@armorkit/plugin-seccomp';
import cryptoMiners from 'armorkit-rules-crypto-miners';

export default defineConfig({
  extendDefaults: false,
  plugins: [apparmor(), seccomp()],
  rulePacks: [builtinRules, cryptoMiners],
});
