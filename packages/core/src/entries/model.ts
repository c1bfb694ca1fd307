// @armorkit/core/model: behaviour modelling — the recorder that turns a BehaviorModeling profile's events into an
// ArmorProfileModel's dynamicResult, the merge of models from several nodes or runs, and path generalisation.
export type { BehaviorObservation } from '../model/observation.js';
export { ModelRecorder } from '../model/recorder.js';
export { DynamicResultBuilder, mergeDynamicResults } from '../model/dynamic-result.js';
export { generalizePath } from '../model/generalize-path.js';
export { classifyComponent, generalizeComponent } from '../model/path-component.js';
export { formatModel, modelDocument } from '../model/model-document.js';
export { modelSummary } from '../model/summary.js';
export { splitDynamicResult } from '../model/split-result.js';
export { dynamicResultSchema, type DynamicResult } from '../schema/varmor/armor-profile-model.js';
