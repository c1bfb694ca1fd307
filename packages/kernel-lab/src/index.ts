export { runInLab, type LabRun, type LabRunOptions, type LabSettings, type LabTask } from './run-in-lab.js';
export { labDoctor, formatDoctorReport, type DoctorCheck, type DoctorOptions, type DoctorReport } from './doctor.js';
export { isInKernelLab, requireKernelLab } from './in-lab.js';
export { prepareInitramfs, type Initramfs, type InitramfsOptions } from './initramfs.js';
export { findLabKernels, resolveLabKernel, kernelConfigSupportsLab, type KernelImage, type KernelSearch } from './kernel-image.js';
export { labModuleNames, labModulesFor, resolveModuleLoadOrder, type KernelModule } from './kernel-modules.js';
export { defaultLabCacheDir } from './cache-dir.js';
export { labEnvironment } from './guest-protocol.js';
export type { Accelerator, LabShare } from './qemu-command.js';
export {
  formatLabError,
  unwrapOutcome,
  LabFailure,
  type LabError,
  type LabErrorCode,
  type LabOutcome,
} from './lab-error.js';
export { readKernelMessages, waitForKernelMessage } from './kernel-messages.js';
