import { isDeepStrictEqual } from 'node:util';
import type { Engine } from '@armorkit/core';
import { mergeDynamicResults } from '@armorkit/core/model';
import { type ArmorProfileModel, armorProfileModelSchema } from '@armorkit/core/schema';
import { ApiException, type CustomObjectsApi, type KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import type { Informer } from '../cluster/informer.js';
import { VARMOR_GROUP, VARMOR_VERSION } from '../crd/kinds.js';
import { assembleParts } from '../model/assemble-parts.js';
import { MODEL_PART_GROUP, MODEL_PART_PLURAL, MODEL_PART_VERSION } from '../model/part-schema.js';
import { ModelPartWriter } from '../model/part-writer.js';
import { MODELING_STARTED_ANNOTATION, type ModelingSession, modelingSessionOf } from '../model/session.js';
import { desiredArmorProfileModel } from './desired-model.js';
import type { PolicyOwner } from './desired-profile.js';
import { describeProgress, modelProgress } from './model-progress.js';
import { profileFromModel } from './model-profile.js';
import { VARMOR_API_VERSION } from './names.js';

export const MODEL_PLURAL = 'armorprofilemodels';
/** The largest ArmorProfileModel written whole: below etcd's 1.5 MiB with room for the server's metadata. */
export const MODEL_OBJECT_BYTES = 1024 * 1024;

export interface ModelStoreOptions {
  engine: Engine;
  kubeConfig: KubeConfig;
  objects: CustomObjectsApi;
  models: Informer;
  parts: Informer;
  verify: boolean;
  /** After the duration, how long live nodes are waited for (ms). */
  grace: number;
  maxObjectBytes?: number;
  chunkBytes?: number;
  wrote: (verb: string) => void;
  log: (line: string) => void;
}

export interface ModelState {
  completed: boolean;
  /** For the policy's Ready condition and the Event. */
  message: string;
  /** When to reconcile again without an event (ms). */
  recheckAt?: number;
}

type Stored = KubernetesObject & { spec?: unknown; status?: unknown };
const isConflict = (error: unknown) => error instanceof ApiException && error.code === 409;
const timestamp = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/**
 * The controller's side of a modelling run: the nodes' parts (informer) → the ArmorProfileModel, written only when
 * it differs; at completion the profiles built from it, and the nodes' parts deleted (they are in the model). A
 * model too large for one object keeps its dynamicResult in ArmorModelParts written here.
 */
export class ModelStore {
  private readonly writer: ModelPartWriter;
  private readonly parsed = new Map<string, { version: string; model: ArmorProfileModel | undefined }>();

  constructor(private readonly options: ModelStoreOptions) {
    this.writer = new ModelPartWriter(options.kubeConfig, options.chunkBytes);
  }

  /** Writes the run's model as it stands; 'retry' after a conflict or a failed request. */
  async reconcile(input: { policy: Stored; owner: PolicyOwner; namespace: string; profileName: string; session: ModelingSession; liveNodes: ReadonlySet<string>; now: number }): Promise<ModelState | 'retry'> {
    const { namespace, profileName, session } = input;
    const stored = this.options.models.get(profileName, namespace);
    const previous = this.read(stored);
    // A completed run stays completed: its parts may be gone, the model is what holds it.
    if (previous?.status?.ready === true && previous.metadata.annotations?.[MODELING_STARTED_ANNOTATION] === session.session) {
      return { completed: true, message: previous.status.conditions?.find((condition) => condition.type === 'Ready')?.message ?? 'modelling completed' };
    }
    const parts = assembleParts(this.options.parts.list(), { namespace, profileName, session: session.session });
    for (const problem of parts.invalid) this.options.log(`${problem} (left out of the model)`);
    const progress = modelProgress({ parts, liveNodes: input.liveNodes, deadline: session.deadline, now: input.now, grace: this.options.grace });
    let profile: Awaited<ReturnType<typeof profileFromModel>> | undefined;
    if (progress.completed) {
      const model: ArmorProfileModel = { apiVersion: VARMOR_API_VERSION, kind: 'ArmorProfileModel', metadata: { name: profileName, namespace }, data: { dynamicResult: progress.dynamicResult } };
      profile = await profileFromModel(this.options.engine, input.policy, model, { owner: input.owner, namespace, verify: this.options.verify });
    }
    const desired = desiredArmorProfileModel({
      owner: input.owner,
      namespace,
      profileName,
      session: session.session,
      progress,
      ...(profile && 'profile' in profile ? { profile: profile.profile } : {}),
      ...(profile && 'problem' in profile ? { profileProblem: profile.problem } : {}),
      ...(previous ? { previous } : {}),
      now: timestamp(input.now),
      maxBytes: this.options.maxObjectBytes ?? MODEL_OBJECT_BYTES,
    });
    try {
      if (desired.inParts) {
        const held = parts.stored;
        if (!held || held.revision === 0 || !isDeepStrictEqual(held.dynamicResult, desired.inParts) || held.final !== progress.completed) {
          const written = await this.writer.write({
            namespace,
            profileName,
            session: session.session,
            revision: (held?.revision ?? 0) + 1,
            final: progress.completed,
            dynamicResult: desired.inParts,
            owner: { apiVersion: VARMOR_API_VERSION, kind: input.owner.kind, name: input.owner.name, uid: input.owner.uid },
            previousCount: held?.count ?? 0,
          });
          if (!written.ok) {
            this.options.log(written.problem);
            return 'retry';
          }
          this.options.wrote('model-part');
        }
      }
      await this.writeModel(stored, previous, desired.model);
      if (progress.completed) await this.deleteNodeParts(namespace, profileName);
    } catch (error) {
      if (!isConflict(error)) this.options.log(`ArmorProfileModel ${namespace}/${profileName} not written: ${error instanceof Error ? error.message : String(error)}`);
      return 'retry';
    }
    const message = progress.completed ? `modelling completed: ArmorProfileModel ${namespace}/${profileName} (${describeProgress(progress)})` : `modelling: ${describeProgress(progress)}`;
    return { completed: progress.completed, message, ...(progress.recheckAt !== undefined ? { recheckAt: progress.recheckAt } : {}) };
  }

  /** Whether the ArmorProfile's run (its session) has a completed model. */
  completed(namespace: string, profileName: string, armorProfile: KubernetesObject): boolean {
    const session = modelingSessionOf(armorProfile);
    const model = this.read(this.options.models.get(profileName, namespace));
    return session !== undefined && model?.status?.ready === true && model.metadata.annotations?.[MODELING_STARTED_ANNOTATION] === session.session;
  }

  /**
   * The completed models (`status.ready`), by profile name, as `compilePolicy` takes them, with the dynamicResult of
   * one stored in ArmorModelParts put back; models that do not validate are left out (and logged).
   */
  readyModels(): Map<string, ArmorProfileModel> {
    const models = new Map<string, ArmorProfileModel>();
    for (const object of this.options.models.list()) {
      const model = this.read(object);
      if (!model?.status?.ready) continue;
      if (model.storageType === 'ArmorModelPart') {
        const session = model.metadata.annotations?.[MODELING_STARTED_ANNOTATION] ?? '';
        const stored = assembleParts(this.options.parts.list(), { namespace: model.metadata.namespace ?? '', profileName: model.metadata.name, session }).stored;
        if (!stored) continue;
        models.set(model.metadata.name, { ...model, data: { ...model.data, dynamicResult: mergeDynamicResults(stored.dynamicResult) } });
      } else models.set(model.metadata.name, model);
    }
    return models;
  }

  /** The stored object through the schema (cached per resourceVersion); undefined when absent or invalid. */
  private read(object: KubernetesObject | undefined): ArmorProfileModel | undefined {
    if (!object) return undefined;
    const key = `${object.metadata?.namespace ?? ''}/${object.metadata?.name ?? ''}`;
    const version = object.metadata?.resourceVersion ?? '';
    const cached = this.parsed.get(key);
    if (cached?.version === version && version !== '') return cached.model;
    const { metadata, ...rest } = object;
    const parsed = armorProfileModelSchema.safeParse({ ...rest, metadata: { name: metadata?.name, namespace: metadata?.namespace, ...(metadata?.annotations ? { annotations: metadata.annotations } : {}) } });
    if (!parsed.success) this.options.log(`ArmorProfileModel ${key} is not valid: /${(parsed.error.issues[0]?.path ?? []).map(String).join('/')}: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
    const model = parsed.success ? parsed.data : undefined;
    this.parsed.set(key, { version, model });
    return model;
  }

  /** `previous`: the stored object as the schema reads it (undefined when it does not validate: it is replaced). */
  private async writeModel(stored: Stored | undefined, previous: ArmorProfileModel | undefined, desired: ArmorProfileModel): Promise<void> {
    const path = { group: VARMOR_GROUP, version: VARMOR_VERSION, namespace: desired.metadata.namespace ?? '', plural: MODEL_PLURAL };
    const { status, ...main } = desired;
    if (!stored) {
      const created = (await this.options.objects.createNamespacedCustomObject({ ...path, body: main })) as Stored;
      this.options.wrote('create');
      await this.options.objects.replaceNamespacedCustomObjectStatus({ ...path, name: desired.metadata.name, body: { ...created, status } });
      this.options.wrote('status');
      return;
    }
    const plain = (value: unknown): unknown => JSON.parse(JSON.stringify(value ?? {}));
    const mainDiffers =
      previous === undefined ||
      !isDeepStrictEqual(plain({ storageType: previous.storageType, data: previous.data }), plain({ storageType: main.storageType, data: main.data })) ||
      previous.metadata.annotations?.[MODELING_STARTED_ANNOTATION] !== desired.metadata.annotations?.[MODELING_STARTED_ANNOTATION];
    let latest: Stored = stored;
    if (mainDiffers) {
      const body = { ...main, metadata: { ...stored.metadata, ...main.metadata, resourceVersion: stored.metadata?.resourceVersion } };
      latest = (await this.options.objects.replaceNamespacedCustomObject({ ...path, name: desired.metadata.name, body })) as Stored;
      this.options.wrote('replace');
    }
    if (!isDeepStrictEqual(plain(stored.status), plain(status)) || mainDiffers) {
      await this.options.objects.replaceNamespacedCustomObjectStatus({ ...path, name: desired.metadata.name, body: { ...latest, status } });
      this.options.wrote('status');
    }
  }

  /** The nodes' parts of a completed run: merged into the model, so no longer needed. */
  private async deleteNodeParts(namespace: string, profileName: string): Promise<void> {
    for (const object of this.options.parts.list()) {
      const spec = (object as Stored).spec;
      if (object.metadata?.namespace !== namespace || typeof spec !== 'object' || spec === null) continue;
      if (!('profileName' in spec) || spec.profileName !== profileName || !('nodeName' in spec)) continue;
      try {
        await this.options.objects.deleteNamespacedCustomObject({ group: MODEL_PART_GROUP, version: MODEL_PART_VERSION, namespace, plural: MODEL_PART_PLURAL, name: object.metadata.name ?? '' });
        this.options.wrote('delete');
      } catch (error) {
        if (!(error instanceof ApiException && error.code === 404)) throw error;
      }
    }
  }
}
