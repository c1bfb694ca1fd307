// A minimal enforcer written against the contract (docs/plugins.md): NetworkProxy egress rules as a plain list, one
// line per rule. It has only the required stage, compile; the engine reports the others as `enforcer-cannot-do`.
import { coreErrors, defineEnforcer, defineErrors, definePlugin, fail, ok } from '@armorkit/core';

export const egressListErrors = defineErrors('armorkit-example-custom-engine', {
  'egress-list-http-rules': { description: 'httpRules need an HTTP proxy; the egress list holds L4 rules only.' },
});

/** One line per rule: `allow 10.0.0.0/8 ports 443`, `deny any`; then the default. */
function egressLines(egress) {
  const destination = (rule) => rule.ip ?? (rule.cidr || 'any');
  const ports = (rule) => (rule.ports?.length ? ` ports ${rule.ports.map((port) => port.port).join(',')}` : '');
  const rules = (egress?.rules ?? []).map((rule) => `${rule.qualifiers.join(' ')} ${destination(rule)}${ports(rule)}`);
  return [...rules, `default ${(egress?.defaultAction ?? 'allow').toLowerCase()}`];
}

export const egressList = definePlugin(() => ({
  name: 'egress-list',
  meta: { name: 'armorkit-example-custom-engine', version: '0.0.0' },
  errors: egressListErrors,
  backends: [
    defineEnforcer({
      enforcer: 'NetworkProxy',
      compile(plan, context) {
        // What to build is one field; a build this enforcer has no profile for is core's shared code.
        if (plan.build.kind !== 'Rules' && plan.build.kind !== 'AlwaysAllow') {
          return fail([coreErrors.error('mode-unsupported', `${context.specPointer}/policy/mode`, `the egress list has no profile for ${plan.mode}`)]);
        }
        const egress = plan.egress;
        if (egress?.rules.httpRules?.length) {
          return fail([egressListErrors.error('egress-list-http-rules', `${egress.pointer}/httpRules`, 'httpRules need an HTTP proxy; remove them or use plugin-networkproxy')]);
        }
        const content = egressLines(egress?.rules).join('\n') + '\n';
        return ok({ enforcer: 'NetworkProxy', profileName: plan.profileName, profileMode: plan.profileMode, files: [{ suffix: 'egress.txt', content }], data: { lines: egressLines(egress?.rules) } });
      },
    }),
  ],
}));

export default egressList;
