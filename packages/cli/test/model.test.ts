import { describe, expect, it } from 'vitest';
import { main } from '../src/main.js';

const FIXTURES = new URL('fixtures/', import.meta.url).pathname;

async function run(args: string[]) {
  let out = '';
  let err = '';
  const code = await main(args, { out: (t) => (out += t + '\n'), err: (t) => (err += t + '\n'), cwd: FIXTURES });
  return { code, out, err };
}

describe('DefenseInDepth from a behaviour model (--model)', () => {
  it('compiles the AppArmor and seccomp profiles from the ArmorProfileModel, plus the raw rules', async () => {
    const { code, out, err } = await run(['compile', 'defense-in-depth-model.yaml', '--model', 'shop-api.model.yaml', '--format', 'json']);
    expect(err).toBe('');
    expect(code).toBe(0);
    const artifacts = JSON.parse(out) as { enforcer: string; data: unknown; files: { content: string }[] }[];
    const apparmor = artifacts.find((a) => a.enforcer === 'AppArmor')!.files[0]!.content;
    expect(apparmor).toContain('profile varmor-shop-shop-api flags=(attach_disconnected,mediate_deleted) {');
    expect(apparmor).toContain('/usr/bin/python3.11 ix,');
    expect(apparmor).toContain('owner /srv/app/** mr,');
    expect(apparmor).toContain('capability net_bind_service,');
    expect(apparmor).toContain('deny /etc/shadow r,');
    const seccomp = artifacts.find((a) => a.enforcer === 'Seccomp')!.data as { defaultAction: string; syscalls: { names: string[]; action: string }[] };
    expect(seccomp.defaultAction).toBe('SCMP_ACT_ERRNO');
    expect(seccomp.syscalls).toEqual([
      { names: ['open', 'openat', 'openat2', 'close', 'read', 'write'], action: 'SCMP_ACT_ALLOW' },
      { names: ['futex', 'epoll_wait', 'accept4'], action: 'SCMP_ACT_ALLOW' },
      { names: ['ptrace'], action: 'SCMP_ACT_ERRNO' },
    ]);
  });

  it('without the model, says which field needs it, for each enforcer', async () => {
    const { code, err } = await run(['compile', 'defense-in-depth-model.yaml', '--no-verify']);
    expect(code).toBe(1);
    expect(err).toMatch(/defense-in-depth-model\.yaml:12:22: \/spec\/policy\/defenseInDepth\/appArmor\/profileType: no behaviour model/);
    expect(err).toMatch(/defense-in-depth-model\.yaml:16:22: \/spec\/policy\/defenseInDepth\/seccomp\/profileType: profileType BehaviorModel needs the behaviour model/);
  });

  it('rejects a file that is not an ArmorProfileModel', async () => {
    const { code, err } = await run(['compile', 'defense-in-depth-model.yaml', '--model', 'defense-in-depth-model.yaml']);
    expect(code).toBe(2);
    expect(err).toContain('expected kind ArmorProfileModel, found VarmorPolicy');
  });
});
