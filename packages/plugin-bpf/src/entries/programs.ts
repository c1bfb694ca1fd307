// @armorkit/plugin-bpf/programs: builds the BPF-LSM programs ahead of time (an image build, or the host before a VM
// boots), into the same content-hash cache the loader reads, so the machine that loads them needs no clang run.
export { ensureBpfObject, type ObjectOptions } from '../loader/bpf-object.js';
