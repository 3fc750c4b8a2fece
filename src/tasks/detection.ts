/**
 * @module The detection task: a callback of the recording task on the `detection` queue. It
 * runs the processing filters, the model and the output cleaners, then stores the model output
 * and the messages built from it in one transaction. A recording the filters skip gets an
 * empty output from this model, so file management does not wait for it forever.
 *
 * The outbox is attached to the metadata connection, and in WAL mode SQLite commits the two files
 * one after the other: a crash between them keeps the model output without its messages. Each
 * message's id is therefore derived from its output's id and its builder, and `restoreMessages`
 * (run on start) rebuilds the messages of recent outputs; the outbox ignores ids it already has.
 *
 * After the cleaners come the rules (range filter, species lists, per-species thresholds …):
 * each detection a rule drops is recorded in the decision log, in the same transaction as the
 * output. With a confirmation rule, an output whose hits wait for confirmation is held (neither
 * stored nor messaged) until a later recording confirms them or their time runs out; `expire`
 * and `flush` decide what the clock or a stop ends.
 */
import { createHash } from "node:crypto";
import type { ConsolaInstance } from "consola";
import type { MessageBuilder } from "../components/message-builders/types.ts";
import type { MessageStore } from "../components/message-stores/types.ts";
import type { Model } from "../components/models/types.ts";
import type { OutputCleaner } from "../components/output-cleaners/types.ts";
import type { ProcessingFilter } from "../components/processing-filters/types.ts";
import type { ModelOutputStore } from "../components/stores/types.ts";
import type { Message, ModelOutput, Recording } from "../data/index.ts";
import type { ComponentStatus } from "../data/component-status.ts";
import type { Clock } from "../scheduler/clock.ts";
import type { DecisionLog } from "../components/stores/decision-log.ts";
import type { RepeatConfirmation } from "../components/species-rules/confirmation.ts";
import type { DetectionRule, DroppedDetection, RuleResult } from "../components/species-rules/types.ts";
import { FAILURES_DEGRADED, type ModelHealth } from "./model-health.ts";

export interface DetectionTaskDeps {
  model: Model;
  store: ModelOutputStore;
  /** Where messages go; null when the program has no messaging. */
  outbox: MessageStore | null;
  processingFilters: readonly ProcessingFilter[];
  outputCleaners: readonly OutputCleaner[];
  messageBuilders: readonly MessageBuilder[];
  /** Rules run after the cleaners, in order; their drops go to `decisions`. */
  rules?: readonly DetectionRule[];
  /** Holds outputs until their hits are confirmed (`confirmation.min_hits` > 1). */
  confirmation?: RepeatConfirmation | null;
  /** Where dropped detections are recorded; null: not recorded. */
  decisions?: DecisionLog | null;
  clock: Clock;
  logger: ConsolaInstance;
  /** Where each run's success or failure is reported (file management reads it); none by default. */
  health?: ModelHealth;
}

export interface DetectionTask {
  run: (recording: Recording) => Promise<ModelOutput | undefined>;
  /** Stores the messages of these stored outputs (of this task's model) that the outbox lacks. */
  restoreMessages: (outputs: readonly ModelOutput[]) => void;
  /** Releases or drops held outputs whose confirmation time ran out by the wall clock. */
  expire: () => void;
  /** Decides every held output now (on stop, or at the end of an analysis). */
  flush: () => void;
  status: () => ComponentStatus;
}

/** A UUID (version 8) derived from a model output's id and a builder's index. */
export function derivedMessageId(outputId: string, builder: number): string {
  const hex = createHash("sha256").update(`${outputId.toLowerCase()}/${builder}`).digest("hex");
  const variant = ((Number.parseInt(hex.charAt(16), 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

export function detectionTask(deps: DetectionTaskDeps): DetectionTask {
  let processed = 0;
  let skipped = 0;
  let detections = 0;
  let messages = 0;
  let lastError: string | null = null;
  let failedInRow = 0;

  function buildMessages(output: ModelOutput): Message[] {
    const built: Message[] = [];
    deps.messageBuilders.forEach((build, index) => {
      const message = build(output);
      if (message !== null) built.push({ ...message, id: derivedMessageId(output.id, index) });
    });
    return built;
  }

  async function detection_task(recording: Recording): Promise<ModelOutput | undefined> {
    for (const filter of deps.processingFilters) {
      if (!(await filter(recording))) {
        skipped++;
        const empty: ModelOutput = { id: crypto.randomUUID(), name_model: deps.model.name, recording, detections: [], created_on: deps.clock.now() };
        deps.store.storeModelOutputs([empty]);
        deps.logger.debug(`Skipped recording ${recording.id}: a processing filter declined it`);
        return undefined;
      }
    }
    let output: ModelOutput;
    try {
      output = await deps.model.run(recording);
    } catch (error) {
      lastError = (error as Error).message;
      failedInRow++;
      deps.health?.failed(deps.model.name, recording.id, error);
      throw error;
    }
    lastError = null;
    failedInRow = 0;
    deps.health?.succeeded(deps.model.name);
    for (const clean of deps.outputCleaners) output = clean(output);
    const dropped: DroppedDetection[] = [];
    for (const rule of deps.rules ?? []) {
      const result = await rule.apply(output);
      output = result.output;
      dropped.push(...result.dropped);
    }
    const confirmation = deps.confirmation ?? null;
    const decided = confirmation === null ? [{ output, dropped }] : confirmation.admit({ output, dropped });
    commit(decided);
    return decided.find((d) => d.output.id === output.id)?.output;
  }

  /** Stores decided outputs, their messages and their drops in one transaction. */
  function commit(decided: readonly RuleResult[]): void {
    if (decided.length === 0) return;
    const outbox = deps.outbox;
    const built = decided.map((d) => (outbox ? buildMessages(d.output) : []));
    deps.store.transaction(() => {
      deps.store.storeModelOutputs(decided.map((d) => d.output));
      for (const messages of built) for (const message of messages) outbox?.storeMessage(message);
      for (const d of decided) deps.decisions?.record(d.output.recording, d.output.name_model, d.dropped, deps.clock.now());
    });
    processed += decided.length;
    for (const d of decided) detections += d.output.detections.length;
    for (const list of built) messages += list.length;
  }

  return {
    run: detection_task,
    expire() {
      if (deps.confirmation) commit(deps.confirmation.expire(deps.clock.now()));
    },
    flush() {
      if (deps.confirmation) commit(deps.confirmation.flush());
    },
    restoreMessages(outputs) {
      const outbox = deps.outbox;
      const mine = outputs.filter((o) => o.name_model === deps.model.name);
      if (outbox === null || mine.length === 0) return;
      deps.store.transaction(() => {
        for (const output of mine) for (const message of buildMessages(output)) outbox.storeMessage(message);
      });
    },
    status: () => ({
      // One failure may be one bad file; three in a row is the model. With `health`, it names the model in status.
      degraded: deps.health === undefined && lastError && failedInRow >= FAILURES_DEGRADED ? `model failing: ${lastError}` : null,
      figures: { processed, skipped, detections, messages, ...(deps.confirmation ? { held: deps.confirmation.held } : {}) },
    }),
  };
}
