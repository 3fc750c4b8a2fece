/**
 * @module The `connected` program, as acoupi's `acoupi.programs.connected`: the default program
 * plus messaging — an outbox, heartbeats with device metrics, and a messenger (MQTT or HTTP)
 * that delivers them, keeping everything while offline.
 */
import { z } from "zod";
import { withDefaults } from "../src/config/with-defaults.ts";
import { defineProgram } from "../src/programs/define-program.ts";
import { BasicConfigSchema, basicTemplate } from "../src/programs/templates/basic.ts";
import { MessagingConfigSchema, messagingTemplate } from "../src/programs/templates/messaging.ts";
import { DEFAULT_WORKERS } from "../src/programs/workers.ts";

export const ConnectedConfigSchema = withDefaults(BasicConfigSchema, { recording_saving: { starttime: "18:30:00" } }).extend({
  messaging: MessagingConfigSchema.prefault({}),
});
export type ConnectedConfig = z.output<typeof ConnectedConfigSchema>;

export default defineProgram({
  apiVersion: 1,
  name: "connected",
  description: "Records on a schedule and reports heartbeats over MQTT or HTTP",
  configSchema: ConnectedConfigSchema,
  workers: DEFAULT_WORKERS,
  setup(config, ctx) {
    const basic = basicTemplate(ctx, config);
    messagingTemplate(ctx, config.messaging, { basic });
  },
});
