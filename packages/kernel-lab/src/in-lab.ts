import { labEnvironment } from './guest-protocol.js';
import { labError, LabFailure } from './lab-error.js';

/** True inside a kernel-lab VM (runInLab sets ARMORKIT_KERNEL_LAB=1 for every command). */
export function isInKernelLab(environment: NodeJS.ProcessEnv = process.env): boolean {
  return environment[labEnvironment.marker] === '1';
}

/** For kernel tests: fails loudly, with the command to use, when run on the host instead of in the lab. */
export function requireKernelLab(environment: NodeJS.ProcessEnv = process.env): void {
  if (isInKernelLab(environment)) return;
  throw new LabFailure(
    labError('not-in-lab', 'this test needs the kernel lab (AppArmor and BPF-LSM in a real kernel) and is running on the host', {
      remedy: 'run kernel tests with `pnpm run test-kernel`, which boots one VM and runs them inside',
    }),
  );
}
