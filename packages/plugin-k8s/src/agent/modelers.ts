import type { Engine } from '@armorkit/core';
import { failureMessage } from '@armorkit/core';
import type { ViolationEvent } from '@armorkit/core/audit';
import { type DynamicResult, mergeDynamicResults, ModelRecorder } from '@armorkit/core/model';
import { CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import { VARMOR_GROUP, VARMOR_VERSION } from '../crd/kinds.js';
import { assembleParts } from '../model/assemble-parts.js';
import { MODEL_PART_GROUP, MODEL_PART_PLURAL, MODEL_PART_PROFILE_LABEL, MODEL_PART_VERSION } from '../model/part-schema.js';
import type { ModelPartWriter } from '../model/part-writer.js';
import type { WatchedProfile } from './armor-profiles.js';

export interface ModelersOptions {
  engine: Engine;
  kubeConfig: KubeConfig;
  node: string;
  writer: ModelPartWriter;
  /** While recording, the node's part is written this often when it grew (ms); and once more at the end. */
  writeInterval: number;
  clock: () => Date;
  log: (line: string) => void;
  /** Told when recording starts (a run not over) and when it ends (every run's final part written, or stopped). */
  onRecording?: (recording: boolean) => void;
}

interface Session {
  namespace: string;
  profileName: string;
  uid: string;
  session: string;
  deadline: number;
  recorder: ModelRecorder;
  /** What this node wrote before the agent (re)started, read back from its parts. */
  seed?: DynamicResult;
  loaded: Promise<void>;
  revision: number;
  count: number;
  /** recorder.events at the last write. */
  written: number;
  /** The final part is written: nothing more is recorded. */
  done: boolean;
  /** The run was over when this agent first saw it (vArmor starts no modeller then): only a stored part is finished. */
  late: boolean;
  timer?: NodeJS.Timeout;
}

/**
 * The node's behaviour modellers (vArmor's BehaviorModeller, §5.1 step 3): one per BehaviorModeling ArmorProfile
 * whose run is not over, fed the events the agent reads anyway (AppArmor complain records, seccomp LOG records, BPF
 * ring-buffer events), writing the node's part of the model as ArmorModelPart chunks every `writeInterval` while it
 * grows and once more, final, at the end of the duration. A restarted agent reads its part back and goes on.
 */
export class Modelers {
  private readonly sessions = new Map<string, Session>();
  private readonly objects: CustomObjectsApi;
  private readonly interval: NodeJS.Timeout;
  private flushing: Promise<void> = Promise.resolve();
  private stopped = false;
  private observeProblem = false;
  private wasRecording = false;

  constructor(private readonly options: ModelersOptions) {
    this.objects = options.kubeConfig.makeApiClient(CustomObjectsApi);
    this.interval = setInterval(() => void this.flush(), options.writeInterval);
    this.interval.unref();
  }

  /** The ArmorProfiles now: a modeller for each BehaviorModeling run; one whose profile left it stops (its part stays). */
  update(profiles: readonly WatchedProfile[]): void {
    const wanted = new Set<string>();
    for (const profile of profiles) {
      if (!profile.modeling) continue;
      const key = `${profile.namespace}/${profile.name}`;
      wanted.add(key);
      const current = this.sessions.get(key);
      if (current?.session === profile.modeling.session) {
        // modelingOptions.duration may be edited while modelling (vArmor lets it shorten or extend the run).
        if (current.deadline !== profile.modeling.deadline && !current.done) {
          current.deadline = profile.modeling.deadline;
          this.armDeadline(current);
        }
        continue;
      }
      if (current) clearTimeout(current.timer);
      this.sessions.set(key, this.start(profile, profile.modeling.session, profile.modeling.deadline));
    }
    for (const [key, session] of this.sessions) {
      if (wanted.has(key)) continue;
      clearTimeout(session.timer);
      this.sessions.delete(key);
    }
    this.noteRecording();
  }

  /** Gives an event to the modeller of its profile; true when one recorded it. `profileName`: the profile of the event's container when the event names none (seccomp without AppArmor). */
  record(event: ViolationEvent, profileName: string = event.profileName): boolean {
    if (profileName === '') return false;
    const now = this.options.clock().getTime();
    for (const session of this.sessions.values()) {
      if (session.profileName !== profileName || session.done || now >= session.deadline) continue;
      return session.recorder.record(event.profileName === profileName ? event : { ...event, profileName });
    }
    return false;
  }

  /** Is any run recording now (the agent keeps printk's rate limit off meanwhile, as vArmor does)? */
  get recording(): boolean {
    return !this.stopped && [...this.sessions.values()].some((session) => !session.done);
  }

  private noteRecording(): void {
    const recording = this.recording;
    if (recording === this.wasRecording) return;
    this.wasRecording = recording;
    this.options.onRecording?.(recording);
  }

  /** Writes what grew, and the final part of every run that is over. One flush at a time. */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(() => this.flushNow());
    return this.flushing;
  }

  /** Writes what was recorded (not final: a restarted agent goes on from it) and stops. */
  async stop(): Promise<void> {
    clearInterval(this.interval);
    for (const session of this.sessions.values()) clearTimeout(session.timer);
    await this.flush();
    this.stopped = true;
    this.noteRecording();
  }

  private start(profile: WatchedProfile, sessionStart: string, deadline: number): Session {
    const session: Session = {
      namespace: profile.namespace,
      profileName: profile.name,
      uid: profile.uid,
      session: sessionStart,
      deadline,
      recorder: new ModelRecorder({ profileName: profile.name, observe: (event) => this.observe(event) }),
      loaded: Promise.resolve(),
      revision: 0,
      count: 0,
      written: 0,
      done: false,
      late: this.options.clock().getTime() >= deadline,
    };
    session.loaded = this.load(session);
    this.armDeadline(session);
    return session;
  }

  private armDeadline(session: Session): void {
    clearTimeout(session.timer);
    session.timer = setTimeout(() => void this.flush(), Math.max(0, session.deadline - this.options.clock().getTime()) + 1);
    session.timer.unref();
  }

  /** The node's part as stored, when the agent restarted during (or after) the run. */
  private async load(session: Session): Promise<void> {
    try {
      const listed = await this.objects.listNamespacedCustomObject({
        group: MODEL_PART_GROUP,
        version: MODEL_PART_VERSION,
        namespace: session.namespace,
        plural: MODEL_PART_PLURAL,
        labelSelector: `${MODEL_PART_PROFILE_LABEL}=${session.profileName}`,
      });
      const items: unknown = typeof listed === 'object' && listed !== null && 'items' in listed ? listed.items : [];
      const assembled = assembleParts(Array.isArray(items) ? items : [], { namespace: session.namespace, profileName: session.profileName, session: session.session });
      const mine = assembled.nodes.get(this.options.node);
      if (!mine) return;
      session.seed = mine.dynamicResult;
      session.revision = mine.revision;
      session.count = mine.count;
      session.done = mine.final;
    } catch (error) {
      // Not read: recording starts empty, and the first write replaces what was there.
      this.options.log(`the model part of ${session.namespace}/${session.profileName} was not read back: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  private observe(event: ViolationEvent) {
    const observed = this.options.engine.observe(event);
    if (observed.ok) return observed.value;
    if (!this.observeProblem) this.options.log(`an event could not be read for the model: ${failureMessage(observed)}`);
    this.observeProblem = true;
    return [];
  }

  private async flushNow(): Promise<void> {
    if (this.stopped) return;
    await this.writeParts();
    this.noteRecording();
  }

  private async writeParts(): Promise<void> {
    const now = this.options.clock().getTime();
    for (const session of [...this.sessions.values()]) {
      await session.loaded;
      if (session.done) continue;
      const final = now >= session.deadline;
      if (!final && session.recorder.events === session.written) continue;
      if (final && session.late && session.seed === undefined) {
        // Nothing of this run was recorded here: no part (the controller completes the model without this node).
        session.done = true;
        continue;
      }
      const events = session.recorder.events;
      const recorded = session.recorder.dynamicResult();
      const result = await this.options.writer.write({
        namespace: session.namespace,
        profileName: session.profileName,
        nodeName: this.options.node,
        session: session.session,
        revision: session.revision + 1,
        final,
        dynamicResult: session.seed ? mergeDynamicResults(session.seed, recorded) : recorded,
        ...(session.uid ? { owner: { apiVersion: `${VARMOR_GROUP}/${VARMOR_VERSION}`, kind: 'ArmorProfile', name: session.profileName, uid: session.uid } } : {}),
        previousCount: session.count,
      });
      if (!result.ok) {
        // Written again at the next interval (the recorder keeps everything meanwhile).
        this.options.log(`${result.problem}; written again in ${this.options.writeInterval} ms`);
        continue;
      }
      session.revision += 1;
      session.count = result.count;
      session.written = events;
      if (final) {
        session.done = true;
        this.options.log(`modelling of ${session.namespace}/${session.profileName} ended on this node: ${events} events recorded, the part written in ${result.count} chunk(s)`);
      }
    }
  }
}
