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
import { FAILURES_DEGRADED, type ModelHealth } from "./model-health.ts";

export interface DetectionTaskDeps {
  model: Model;
  store: ModelOutputStore;
  /** Where messages go; null when the program has no messaging. */
  outbox: MessageStore | null;
  processingFilters: readonly ProcessingFilter[];
  outputCleaners: readonly OutputCleaner[];
  messageBuilders: readonly MessageBuilder[];
  clock: Clock;
  logger: ConsolaInstance;
  /** Where each run's success or failure is reported (file management reads it); none by default. */
  health?: ModelHealth;
}

export interface DetectionTask {
  run: (recording: Recording) => Promise<ModelOutput | undefined>;
  /** Stores the messages of these stored outputs (of this task's model) that the outbox lacks. */
  restoreMessages: (outputs: readonly ModelOutput[]) => void;
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
    const outbox = deps.outbox;
    const built = outbox ? buildMessages(output) : [];
    deps.store.transaction(() => {
      deps.store.storeModelOutputs([output]);
      for (const message of built) outbox?.storeMessage(message);
    });
    processed++;
    detections += output.detections.length;
    messages += built.length;
    return output;
  }

  return {
    run: detection_task,
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
      figures: { processed, skipped, detections, messages },
    }),
  };
}
