/**
 * @module The page in its own thread: the runner starts the web server (server.ts) in a Worker
 * (page-worker.ts), so building pages, reading the database for them and answering a storm of
 * requests never runs on the main thread, where the scheduler, capture and filing run
 * (ARCHITECTURE.md allows a Worker for the page). The main thread sends the worker what it needs
 * once (the config with its secrets masked, the paths) and then the scheduler's task events; the
 * worker sends back its log lines and whether it serves. `stop` stops the server, then the thread.
 */
import type { ConsolaInstance } from "consola";
import type { z } from "zod";
import { maskSecrets } from "../config/secrets.ts";
import { liveLevel } from "../audio/live-level.ts";
import { AcoupiError } from "../errors.ts";
import type { TaskEventListener } from "../scheduler/types.ts";
import type { AcoupiPaths } from "../system/paths.ts";
import { selfCommand } from "../system/self-command.ts";
import { WebWorker } from "../system/web-worker.ts";
import { workerUrl } from "../system/worker-url.ts";
import type { WebConfig } from "../programs/templates/web-config.ts";
import type { WebServer } from "./server.ts";

/** What the page worker is told. */
export type PageCommand =
  | {
      type: "start";
      config: WebConfig;
      paths: AcoupiPaths;
      programName: string;
      programConfig: unknown;
      acoupiCommand: readonly string[];
      logLevel: number;
      /** The capture's live level slot (src/audio/live-level.ts), shared, never copied. */
      liveLevel: SharedArrayBuffer;
    }
  | { type: "task"; task: string; kind: "start" | "success" | "failure" | "skip"; at: number; error: string | null }
  | { type: "stop" };

/** What the page worker answers. */
export type PageReply =
  | { type: "ready"; url: string; port: number }
  | { type: "failed"; message: string }
  | { type: "log"; level: number; text: string }
  | { type: "stopped" };

export interface PageThreadOptions {
  config: WebConfig;
  paths: AcoupiPaths;
  programName: string;
  configSchema: z.ZodType;
  programConfig: unknown;
  onTaskEvent?: (listener: TaskEventListener) => () => void;
  logger: ConsolaInstance;
}

/** How long the worker may take to start serving, and to stop. */
const START_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 5_000;

function relay(logger: ConsolaInstance, level: number, text: string): void {
  if (level <= 0) logger.error(text);
  else if (level === 1) logger.warn(text);
  else if (level <= 3) logger.info(text);
  else logger.debug(text);
}

/** Starts the page in a Worker; resolves once it serves, rejects when it cannot (port taken). */
export async function startPageThread(options: PageThreadOptions): Promise<WebServer> {
  const url = workerUrl(import.meta.url, "page-worker.ts");
  if (url === null) {
    throw new AcoupiError("web", "Cannot start the web page: its worker is not embedded in this binary", {
      help: "Build with the worker as an extra entry point: bun build --compile src/cli/main.ts … src/web/page-worker.ts",
    });
  }
  const worker = new WebWorker(url, { smol: true });
  let stopped: (() => void) | null = null;
  const ready = new Promise<{ url: string; port: number }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new AcoupiError("web", `The web page did not start within ${START_TIMEOUT_MS / 1000} s`)), START_TIMEOUT_MS);
    worker.onmessage = (event: MessageEvent<PageReply>) => {
      const reply = event.data;
      if (reply.type === "log") relay(options.logger, reply.level, reply.text);
      else if (reply.type === "ready") (clearTimeout(timer), resolve(reply));
      else if (reply.type === "failed") (clearTimeout(timer), reject(new AcoupiError("web", reply.message)));
      else if (reply.type === "stopped") stopped?.();
    };
    worker.onerror = (event) => (clearTimeout(timer), reject(new AcoupiError("web", `The web page's thread failed: ${event.message}`)));
  });
  const post = (command: PageCommand) => worker.postMessage(command);
  post({
    type: "start",
    config: options.config,
    paths: options.paths,
    programName: options.programName,
    // Secrets never leave the main thread: the worker gets the config as the page shows it.
    programConfig: maskSecrets(options.configSchema, options.programConfig),
    acoupiCommand: selfCommand(),
    logLevel: options.logger.level,
    liveLevel: liveLevel.buffer,
  });
  let serving: { url: string; port: number };
  try {
    serving = await ready;
  } catch (error) {
    worker.terminate();
    throw error;
  }
  const unsubscribe = options.onTaskEvent?.((event) =>
    post({ type: "task", task: event.task, kind: event.kind, at: event.at.getTime(), error: event.error === undefined ? null : String(event.error) }),
  );
  return {
    url: serving.url,
    port: serving.port,
    async stop() {
      unsubscribe?.();
      const done = new Promise<void>((resolve) => (stopped = resolve));
      post({ type: "stop" });
      await Promise.race([done, Bun.sleep(STOP_TIMEOUT_MS)]);
      worker.terminate();
    },
  };
}
