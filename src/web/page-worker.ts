/**
 * @module The page Worker's script (started by page-thread.ts): it runs the web server
 * (server.ts) on this thread, with the masked config the main thread sent, relays the scheduler's
 * task events into it (for /metrics), and sends its log lines back to the main thread's logger.
 */
import { createConsola, type LogObject } from "consola/basic";
import { z } from "zod";
import { LiveLevel } from "../audio/live-level.ts";
import { eventText } from "../log.ts";
import type { TaskEventListener } from "../scheduler/types.ts";
import type { PageCommand, PageReply } from "./page-thread.ts";
import { startWebServer, type WebServer } from "./server.ts";

declare const self: Worker;

let server: WebServer | null = null;
let listener: TaskEventListener | null = null;

function reply(message: PageReply): void {
  self.postMessage(message);
}

const logger = createConsola({
  level: 3,
  reporters: [{ log: (entry: LogObject) => reply({ type: "log", level: entry.level, text: eventText(entry) }) }],
});

self.onmessage = async (event: MessageEvent<PageCommand>) => {
  const command = event.data;
  if (command.type === "task") {
    listener?.({ task: command.task, kind: command.kind, at: new Date(command.at), ...(command.error === null ? {} : { error: command.error }) });
    return;
  }
  if (command.type === "stop") {
    await server?.stop().catch((error: unknown) => logger.error("Stopping the web page failed:", error));
    server = null;
    reply({ type: "stopped" });
    return;
  }
  logger.level = command.logLevel;
  try {
    server = startWebServer({
      config: command.config,
      paths: command.paths,
      programName: command.programName,
      // The config arrives with its secrets masked already: nothing is left to mask.
      configSchema: z.unknown(),
      programConfig: command.programConfig,
      onTaskEvent: (l) => {
        listener = l;
        return () => (listener = null);
      },
      logger,
      acoupiCommand: command.acoupiCommand,
      liveLevel: new LiveLevel(command.liveLevel),
    });
    reply({ type: "ready", url: server.url, port: server.port });
  } catch (error) {
    reply({ type: "failed", message: error instanceof Error ? error.message : String(error) });
  }
};
