/**
 * @module The detection stack as one template: basic → messaging → detection, the wiring the
 * `detection` and `birdnet` programs share. Its config is the basic program's sections plus
 * `messaging`, the detection sections (`detections`, `model`, `summariser_config`) and the
 * optional `saving_managers` (file by detection confidence instead of by date). A preset only
 * chooses defaults: `withDefaults(DetectionProgramConfigSchema, { model: { … } })`.
 */
import { z } from "zod";
import { SavingManagersSchema, savingManagersFromConfig } from "../../components/file-managers/save-recording-manager.ts";
import { WALL_GRACE_MS } from "../../components/species-rules/confirmation.ts";
import { ConfigError } from "../../errors.ts";
import type { ProgramContext } from "../program-context.ts";
import { BasicConfigSchema, basicTemplate, type BasicTemplate, type BasicTemplateOptions } from "./basic.ts";
import { DetectionConfigSchema, detectionTemplate, type DetectionTemplate, type DetectionTemplateOptions } from "./detection.ts";
import { MessagingConfigSchema, messagingTemplate, type MessagingTemplate, type MessagingTemplateOptions } from "./messaging.ts";

export const DetectionProgramConfigSchema = BasicConfigSchema.extend({
  messaging: MessagingConfigSchema.prefault({}),
  ...DetectionConfigSchema.shape,
  saving_managers: SavingManagersSchema.nullable().default(null).describe("File recordings by detection confidence (unset: by date)"),
});
export type DetectionProgramConfig = z.output<typeof DetectionProgramConfigSchema>;
/** The config the template reads: `model` may be left out when `options.detection.model` is given. */
export type DetectionProgramTemplateConfig = Omit<DetectionProgramConfig, "model"> & { model?: DetectionProgramConfig["model"] };

export interface DetectionProgramOptions {
  basic?: BasicTemplateOptions;
  messaging?: MessagingTemplateOptions;
  detection?: DetectionTemplateOptions;
}

export interface DetectionProgram {
  basic: BasicTemplate;
  messaging: MessagingTemplate;
  detection: DetectionTemplate;
}

/** A held output must be decided before file management stops waiting for it and files its recording anyway. */
function checkConfirmationWait(config: DetectionProgramTemplateConfig): void {
  const { confirmation, file_management: files } = config;
  if (confirmation.min_hits <= 1) return;
  const longest = confirmation.within_s + WALL_GRACE_MS / 1000;
  if (longest >= files.max_wait) {
    throw new ConfigError(`confirmation.within_s ${confirmation.within_s} holds a recording up to ${longest} s, not less than file_management.max_wait ${files.max_wait} s`, {
      key: "confirmation.within_s",
      help: `Shorten confirmation.within_s, or raise file_management.max_wait above ${longest}`,
    });
  }
}

export function detectionProgramTemplate(ctx: ProgramContext, config: DetectionProgramTemplateConfig, options: DetectionProgramOptions = {}): DetectionProgram {
  checkConfirmationWait(config);
  const managers = config.saving_managers;
  const basic = basicTemplate(ctx, config, {
    ...(managers === null ? {} : { fileManagers: [savingManagersFromConfig(managers, config.paths.recordings)] }),
    ...options.basic,
  });
  const messaging = messagingTemplate(ctx, config.messaging, { basic }, options.messaging);
  const detection = detectionTemplate(ctx, config, { basic, messaging }, options.detection);
  return { basic, messaging, detection };
}
