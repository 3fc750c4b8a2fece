/**
 * @module The program API, version 1: what an external program file receives
 * (`export default (api) => api.defineProgram({ apiVersion: 1, … })`), so a program next to the
 * binary needs no packages of its own. It is a list of namespaces, each built from its folder's
 * index file: the templates, the components by kind, audio helpers, the data records, the errors a
 * program throws, the task names, the workers, the config markers, and zod. The built-in programs
 * compose from the same names (test/programs/api.test.ts holds them to it) and docs/program-api.md
 * documents every one (its test fails when one is missing). It is imported only when a program
 * file is loaded, so `acoupi --help` never loads it.
 */
import { z } from "zod";
import * as audio from "../audio/index.ts";
import * as cleaners from "../components/output-cleaners/index.ts";
import * as conditions from "../components/conditions/index.ts";
import * as fileManagers from "../components/file-managers/index.ts";
import * as messageBuilders from "../components/message-builders/index.ts";
import * as messageStores from "../components/message-stores/index.ts";
import * as messengers from "../components/messengers/index.ts";
import * as models from "../components/models/index.ts";
import * as processingFilters from "../components/processing-filters/index.ts";
import * as recorders from "../components/recorders/index.ts";
import * as rules from "../components/species-rules/index.ts";
import * as savingFilters from "../components/saving-filters/index.ts";
import * as stores from "../components/stores/index.ts";
import * as summarisers from "../components/summarisers/index.ts";
import { noPrompt, secret } from "../config/markers.ts";
import { homePath, timeOfDay, timeZone } from "../config/types.ts";
import { enabled, withDefaults } from "../config/with-defaults.ts";
import * as data from "../data/api.ts";
import { AcoupiError, ConfigError, DeviceError, HealthCheckError, MessageSendError, ModelError, StoreError } from "../errors.ts";
import * as tasks from "../tasks/names.ts";
import { PROGRAM_API_VERSIONS } from "./api-version.ts";
import { defineProgram } from "./define-program.ts";
import * as templates from "./templates/index.ts";
import { DEFAULT_QUEUE, DEFAULT_WORKERS, DETECTION_WORKERS } from "./workers.ts";

export const programApi = {
  /** The program API versions this binary serves (`apiVersion` must be one of them). */
  apiVersions: PROGRAM_API_VERSIONS,
  defineProgram,
  z,
  /** Config markers and value types, and presets over a schema's defaults. */
  markers: { noPrompt, secret, timeOfDay, timeZone, homePath, withDefaults, enabled },
  templates,
  /** Worker configs: which queues run how many tasks at once. */
  workers: { DEFAULT_QUEUE, DEFAULT_WORKERS, DETECTION_WORKERS },
  recorders,
  conditions,
  savingFilters,
  fileManagers,
  models,
  cleaners,
  rules,
  processingFilters,
  messageBuilders,
  summarisers,
  messengers,
  stores,
  messageStores,
  audio,
  data,
  /** The errors a program throws: each says what failed, and `help` what to do. */
  errors: { AcoupiError, ConfigError, HealthCheckError, ModelError, DeviceError, StoreError, MessageSendError },
  /** The built-in task names, to chain on (`schedule: { after: api.tasks.RECORDING_TASK }`). */
  tasks,
};

export type ProgramApi = typeof programApi;

/** The types a program file may want in an editor (a type-only import is erased at load). */
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
export type { RealTimeAudio } from "../audio/real-time-audio.ts";
export type { AudioSpectrogram } from "../audio/spectrogram-of.ts";
export type { CheckReport, Deployment, Detection, Message, ModelOutput, Recording } from "../data/api.ts";
export type { ProgramContext } from "./program-context.ts";
export type { ProgramDefinition, ProgramDeps, TaskOptions } from "./types.ts";
