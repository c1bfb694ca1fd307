import type { DynamicResult, ModelFile } from '../schema/varmor/armor-profile-model.js';
import { BehaviorSet } from './behavior-set.js';

type AppArmorBehavior = NonNullable<DynamicResult['appArmor']>;
type BpfBehavior = NonNullable<DynamicResult['bpf']>;
type Sections = { appArmor: BehaviorSet; bpf: BehaviorSet; seccomp: BehaviorSet };
export type ModelSection = keyof Sections;

const sorted = (values: Iterable<string>) => [...values].sort();

/** The three enforcers' behaviour sets of one model: what recording and merging add to. */
export class DynamicResultBuilder {
  readonly sections: Sections = { appArmor: new BehaviorSet(), bpf: new BehaviorSet(), seccomp: new BehaviorSet() };

  /** Adds a recorded (or merged) result, field by field. */
  add(result: DynamicResult): this {
    if (result.appArmor) {
      const into = this.sections.appArmor;
      const from = result.appArmor;
      for (const profile of from.profiles ?? []) into.profiles.add(profile);
      this.addCommon(into, from);
      for (const socket of from.networks?.sockets ?? []) into.addSocket(socket.domain, socket.type, socket.protocol);
      for (const egress of from.networks?.egresses ?? []) into.addEgress(egress.ip, egress.ports ?? []);
      for (const signal of from.signals ?? []) into.addSignal(signal.peer, signal.permissions, signal.signals);
      for (const what of from.unhandled ?? []) into.unhandled.add(what);
    }
    if (result.bpf) {
      const into = this.sections.bpf;
      const from = result.bpf;
      this.addCommon(into, from);
      for (const socket of from.network?.sockets ?? []) into.addSocket(socket.domain, socket.type, socket.protocol);
      for (const egress of from.network?.egresses ?? []) into.addEgress(egress.ip, egress.ports ?? []);
    }
    for (const name of result.seccomp?.syscalls ?? []) this.sections.seccomp.syscalls.add(name);
    return this;
  }

  private addCommon(
    into: BehaviorSet,
    from: { executions?: string[]; files?: ModelFile[]; capabilities?: string[]; ptraces?: AppArmorBehavior['ptraces']; mounts?: BpfBehavior['mounts'] },
  ): void {
    for (const path of from.executions ?? []) into.executions.add(path);
    for (const file of from.files ?? []) into.addFile(file.path, file.permissions, file.owner ?? false, file.oldPath);
    for (const capability of from.capabilities ?? []) into.capabilities.add(capability);
    for (const ptrace of from.ptraces ?? []) into.addPtrace(ptrace.peer, ptrace.external, ptrace.permissions);
    for (const mount of from.mounts ?? []) into.addMount(mount.path, mount.type, mount.flags);
  }

  /** The result, sorted, each field present only when something was recorded for it. */
  build(): DynamicResult {
    const result: DynamicResult = {};
    const appArmor = this.sections.appArmor;
    if (!appArmor.empty) {
      const section: AppArmorBehavior = {};
      if (appArmor.profiles.size > 0) section.profiles = sorted(appArmor.profiles);
      if (appArmor.executions.size > 0) section.executions = sorted(appArmor.executions);
      if (appArmor.files.size > 0) section.files = appArmor.fileList();
      if (appArmor.capabilities.size > 0) section.capabilities = sorted(appArmor.capabilities);
      const network = appArmor.network();
      if (network) section.networks = network;
      if (appArmor.ptraces.size > 0) section.ptraces = appArmor.ptraceList();
      if (appArmor.signals.size > 0) section.signals = appArmor.signalList();
      if (appArmor.mounts.size > 0) section.mounts = appArmor.mountList();
      if (appArmor.unhandled.size > 0) section.unhandled = sorted(appArmor.unhandled);
      result.appArmor = section;
    }
    const bpf = this.sections.bpf;
    if (!bpf.empty) {
      const section: BpfBehavior = {};
      if (bpf.executions.size > 0) section.executions = sorted(bpf.executions);
      if (bpf.files.size > 0) section.files = bpf.fileList();
      if (bpf.capabilities.size > 0) section.capabilities = sorted(bpf.capabilities);
      const network = bpf.network();
      if (network) section.network = network;
      if (bpf.ptraces.size > 0) section.ptraces = bpf.ptraceList();
      if (bpf.mounts.size > 0) section.mounts = bpf.mountList();
      result.bpf = section;
    }
    if (this.sections.seccomp.syscalls.size > 0) result.seccomp = { syscalls: sorted(this.sections.seccomp.syscalls) };
    return result;
  }
}

/**
 * Models of the same profile from several nodes or runs → one (what the manager does with each agent's part): set
 * union per field, file permissions united, `owner = old && new`, the first non-empty `oldPath`. Associative and
 * idempotent; commutative except which of two different `oldPath`s is kept.
 */
export function mergeDynamicResults(...results: readonly DynamicResult[]): DynamicResult {
  const builder = new DynamicResultBuilder();
  for (const result of results) builder.add(result);
  return builder.build();
}
