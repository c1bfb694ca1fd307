/** A VarmorPolicy for the Seccomp enforcer in `mode`, with the given lines under `policy:` (indented four spaces). */
export function seccompPolicy(body: string, mode = 'EnhanceProtect'): string {
  return `apiVersion: crd.varmor.org/v1beta1
kind: VarmorPolicy
metadata: {name: demo, namespace: test}
spec:
  target: {kind: Deployment, name: app}
  policy:
    enforcer: Seccomp
    mode: ${mode}
${body}`;
}
