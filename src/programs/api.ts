/**
 * @module The program API: what an external program file receives (`export default (api) =>
 * api.defineProgram({...})`), so a program next to the binary needs no packages of its own. It
 * is the same set the built-in programs compose from: the templates and their config schemas,
 * `withDefaults` for presets, the component factories and classes, the data records, the task
 * names, zod and the config markers. It is imported only when an external file is loaded.
 */
import { z } from "zod";
import * as conditions from "../components/conditions/index.ts";
import * as fileManagers from "../components/file-managers/index.ts";
import { detectionThresholdMessage } from "../components/message-builders/detection-threshold-message.ts";
import { fullModelOutputMessage } from "../components/message-builders/full-model-output-message.ts";
import { SqliteMessageStore, SqliteMessageStoreConfigSchema } from "../components/message-stores/sqlite-message-store.ts";
import { HttpConfigSchema, HttpMessenger } from "../components/messengers/http-messenger.ts";
import { MqttConfigSchema, MqttMessenger } from "../components/messengers/mqtt-messenger.ts";
import { HomeAssistantConfigSchema } from "../components/messengers/home-assistant-config.ts";
import { discoveryMessages, homeAssistantTask } from "../components/messengers/home-assistant-discovery.ts";
import { homeAssistantState } from "../components/messengers/home-assistant-state.ts";
import { ModelSectionSchema, modelFromConfig } from "../components/models/model-from-config.ts";
import { ModelConfigSchema, OnnxModel } from "../components/models/onnx-model.ts";
import { SileroVadConfigSchema, SileroVadModel } from "../components/models/silero-vad-model.ts";
import { labelFilterCleaner } from "../components/output-cleaners/label-filter-cleaner.ts";
import { DetectionsConfigSchema, thresholdCleaner } from "../components/output-cleaners/threshold-cleaner.ts";
import { topKCleaner } from "../components/output-cleaners/top-k-cleaner.ts";
import * as processingFilterCombinators from "../components/processing-filters/combinators.ts";
import { rmsAbove, rmsDbfs } from "../components/processing-filters/rms-above.ts";
import { AlsaRecorder, MicrophoneConfigSchema } from "../components/recorders/alsa-recorder.ts";
import * as savingFilters from "../components/saving-filters/index.ts";
import { SqliteStore, SqliteStoreConfigSchema } from "../components/stores/sqlite-store.ts";
import { planPurge, sacrificeOrder, StorageConfigSchema } from "../components/retention/retention-policy.ts";
import { statisticsSummariser } from "../components/summarisers/statistics-summariser.ts";
import { thresholdsSummariser, ThresholdsSummariserConfigSchema } from "../components/summarisers/thresholds-summariser.ts";
import { noPrompt, secret } from "../config/markers.ts";
import { ConfirmationConfigSchema, RepeatConfirmation } from "../components/species-rules/confirmation.ts";
import { excludeRule, includeRule } from "../components/species-rules/list-rules.ts";
import { RangeFilterConfigSchema, rangeFilterRule } from "../components/species-rules/range-filter.ts";
import { OnnxRangeModel } from "../components/species-rules/range-model.ts";
import { birdnetWeek } from "../components/species-rules/birdnet-week.ts";
import { SpeciesConfigSchema } from "../components/species-rules/species-section.ts";
import { SpeciesList } from "../components/species-rules/species-list.ts";
import { readSpeciesThresholds, speciesThresholdRule } from "../components/species-rules/species-thresholds.ts";
import { timeOfDayRule } from "../components/species-rules/time-of-day-rule.ts";
import { ruleAsCleaner } from "../components/species-rules/types.ts";
import { SqliteDecisionLog } from "../components/stores/decision-log.ts";
import { homePath, timeOfDay, timeZone } from "../config/types.ts";
import { enabled, withDefaults } from "../config/with-defaults.ts";
import * as data from "../data/index.ts";
import * as errors from "../errors.ts";
import * as taskNames from "../tasks/names.ts";
import { defineProgram } from "./define-program.ts";
import { AudioConfigSchema, BasicConfigSchema, basicTemplate, PathsConfigSchema } from "./templates/basic.ts";
import { DetectionProgramConfigSchema, detectionProgramTemplate } from "./templates/detection-program.ts";
import { DetectionConfigSchema, detectionTemplate } from "./templates/detection.ts";
import { MessagingConfigSchema, messagingTemplate } from "./templates/messaging.ts";
import { DEFAULT_QUEUE, DEFAULT_WORKERS, DETECTION_WORKERS } from "./workers.ts";

export const programApi = {
  defineProgram,
  z,
  /** Config markers and value types. */
  noPrompt,
  secret,
  timeOfDay,
  timeZone,
  homePath,
  /** Preset defaults over a template's schema: `withDefaults(schema, { model: { samplerate: 48000 } })`. */
  withDefaults,
  enabled,
  /** Templates, composed in order: basic → messaging({ basic }) → detection({ basic, messaging }). */
  templates: {
    basic: basicTemplate,
    messaging: messagingTemplate,
    detection: detectionTemplate,
    detectionProgram: detectionProgramTemplate,
  },
  /** The config schemas of the templates and the components, to compose a program's sections. */
  schemas: {
    BasicConfigSchema,
    AudioConfigSchema,
    PathsConfigSchema,
    MessagingConfigSchema,
    DetectionConfigSchema,
    DetectionProgramConfigSchema,
    MicrophoneConfigSchema,
    ModelSectionSchema,
    ModelConfigSchema,
    SileroVadConfigSchema,
    DetectionsConfigSchema,
    ThresholdsSummariserConfigSchema,
    HttpConfigSchema,
    MqttConfigSchema,
    HomeAssistantConfigSchema,
    SqliteStoreConfigSchema,
    SqliteMessageStoreConfigSchema,
    StorageConfigSchema,
    RecordingSavingSchema: savingFilters.RecordingSavingSchema,
    SavingManagersSchema: fileManagers.SavingManagersSchema,
    RangeFilterConfigSchema,
    SpeciesConfigSchema,
    ConfirmationConfigSchema,
  },
  /** Components, by kind (factories for stateless parts, classes for stateful ones). */
  recorders: { AlsaRecorder },
  conditions,
  savingFilters,
  fileManagers,
  models: { OnnxModel, SileroVadModel, modelFromConfig },
  cleaners: { thresholdCleaner, topKCleaner, labelFilterCleaner },
  /**
   * Species rules (DetectionRule: keep or drop each detection, saying why), for the detection
   * template's `rules` or, through `ruleAsCleaner`, as plain output cleaners. The detection
   * programs configure them from `range_filter`, `species` and `confirmation`.
   */
  rules: {
    rangeFilterRule,
    OnnxRangeModel,
    birdnetWeek,
    includeRule,
    excludeRule,
    SpeciesList,
    readSpeciesThresholds,
    speciesThresholdRule,
    timeOfDayRule,
    RepeatConfirmation,
    SqliteDecisionLog,
    ruleAsCleaner,
  },
  processingFilters: { rmsAbove, rmsDbfs, ...processingFilterCombinators },
  messageBuilders: { detectionThresholdMessage, fullModelOutputMessage },
  summarisers: { statisticsSummariser, thresholdsSummariser },
  messengers: { MqttMessenger, HttpMessenger },
  /** Home Assistant MQTT discovery (the messaging template wires it when enabled). */
  homeAssistant: { homeAssistantTask, homeAssistantState, discoveryMessages },
  stores: { SqliteStore },
  retention: { planPurge, sacrificeOrder },
  messageStores: { SqliteMessageStore },
  /** Records that flow between parts (createMessage, createDeployment, …) and the task names. */
  data,
  tasks: taskNames,
  errors,
  HealthCheckError: errors.HealthCheckError,
  DEFAULT_QUEUE,
  DEFAULT_WORKERS,
  DETECTION_WORKERS,
};

export type ProgramApi = typeof programApi;

/** The component interfaces, for program files that want types (a type-only import is erased at load). */
export type { RecordingCondition } from "../components/conditions/types.ts";
export type { FileManager } from "../components/file-managers/types.ts";
export type { MessageBuilder } from "../components/message-builders/types.ts";
export type { MessageStore } from "../components/message-stores/types.ts";
export type { Messenger } from "../components/messengers/types.ts";
export type { Model } from "../components/models/types.ts";
export type { OutputCleaner } from "../components/output-cleaners/types.ts";
export type { DetectionRule, DroppedDetection, RuleResult } from "../components/species-rules/types.ts";
export type { ProcessingFilter } from "../components/processing-filters/types.ts";
export type { Recorder } from "../components/recorders/types.ts";
export type { SavingFilter } from "../components/saving-filters/types.ts";
export type { Store } from "../components/stores/types.ts";
export type { Summariser } from "../components/summarisers/types.ts";
export type { ProgramContext } from "./program-context.ts";
