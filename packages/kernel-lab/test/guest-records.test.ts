import { describe, expect, it } from 'vitest';
import { parseGuestStatus } from '../src/guest-status.js';
import { compareKernelVersions, kernelConfigSupportsLab } from '../src/kernel-image.js';
import { kernelLogMessages } from '../src/kernel-log.js';

describe('kernelLogMessages', () => {
  it('keeps the message of each /dev/kmsg record and drops dictionary continuation lines', () => {
    const kmsg = [
      '5,812,4312345,-;audit: type=1400 audit(1.2:17): apparmor="DENIED" operation="open"',
      ' SUBSYSTEM=virtio',
      '6,813,4312399,c;armorkit-lab: command exited with 1',
      '',
    ].join('\n');
    expect(kernelLogMessages(kmsg)).toBe('audit: type=1400 audit(1.2:17): apparmor="DENIED" operation="open"\narmorkit-lab: command exited with 1');
  });
});

describe('parseGuestStatus', () => {
  it('reads the start uptime and the exit code', () => {
    expect(parseGuestStatus('start 4.58\nexit 3\n')).toEqual({ commandStartUptime: 4.58, exitCode: 3 });
  });

  it('reads a setup error', () => {
    expect(parseGuestStatus('error cannot mount the host root over 9p\n')).toEqual({ setupError: 'cannot mount the host root over 9p' });
  });
});

describe('kernel selection', () => {
  it('orders versions numerically', () => {
    const versions = ['6.1.0-9-amd64', '6.10.0-1-amd64', '6.1.0-56-amd64', '5.10.0-30-amd64'];
    expect(versions.sort((a, b) => compareKernelVersions(b, a))).toEqual(['6.10.0-1-amd64', '6.1.0-56-amd64', '6.1.0-9-amd64', '5.10.0-30-amd64']);
  });

  it('requires both AppArmor and BPF-LSM built in', () => {
    expect(kernelConfigSupportsLab('CONFIG_SECURITY_APPARMOR=y\nCONFIG_BPF_LSM=y\n')).toBe(true);
    expect(kernelConfigSupportsLab('CONFIG_SECURITY_APPARMOR=y\n# CONFIG_BPF_LSM is not set\n')).toBe(false);
  });
});
