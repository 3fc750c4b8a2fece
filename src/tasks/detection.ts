/**
 * @module The detection task: a callback of the recording task on the `detection` queue. It
 * runs the processing filters, the model and the output cleaners, then stores the model output
 * and the messages built from it in one transaction. A recording the filters skip gets an
 * empty output from this model, so file management does not wait for it forever.
 */
import type { ConsolaInstance } from "consola";
import type { MessageBuilder } from "../components/message-builders/types.ts";
import type { MessageStore } from "../components/message-stores/types.ts";
import type { Model } from "../components/models/types.ts";
import type { OutputCleaner } from "../components/output-cleaners/types.ts";
import type { ProcessingFilter } from "../components/processing-filters/types.ts";
import type { Store } from "../components/stores/types.ts";
import type { ModelOutput, Recording } from "../data/index.ts";
import type { ComponentStatus } from "../programs/program-context.ts";
import type { Clock } from "../scheduler/clock.ts";

export interface DetectionTaskDeps {
  model: Model;
  store: Store;
  /** Where messages go; null when the program has no messaging. */
  outbox: () => MessageStore | null;
  processingFilters: readonly ProcessingFilter[];
  outputCleaners: readonly OutputCleaner[];
  messageBuilders: readonly MessageBuilder[];
  clock: Clock;
  logger: ConsolaInstance;
}

export interface DetectionTask {
  run: (recording: Recording) => Promise<ModelOutput | undefined>;
  status: () => ComponentStatus;
}

export function detectionTask(deps: DetectionTaskDeps): DetectionTask {
  let processed = 0;
  let skipped = 0;
  let detections = 0;
  let messages = 0;
  let lastError: string | null = null;

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
      throw error;
    }
    lastError = null;
    for (const clean of deps.outputCleaners) output = clean(output);
    const outbox = deps.outbox();
    const built = outbox ? deps.messageBuilders.map((build) => build(output)).filter((m) => m !== null) : [];
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
    status: () => ({
      degraded: lastError ? `model failing: ${lastError}` : null,
      figures: { processed, skipped, detections, messages },
    }),
  };
}
