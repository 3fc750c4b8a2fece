/**
 * @module A real MQTT broker that speaks websockets, for tests (Debian's Mosquitto is built
 * without them): aedes behind a websocket server, in its own Node process (_ws-broker-main.mjs), on a free
 * 127.0.0.1 port, ws or wss, at one path. `kill` and `restart` make an outage on the same port;
 * `accepted` reads the publishes it acknowledged, from a log that outlives the process.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Subprocess } from "bun";
import { freePort } from "./mosquitto.ts";

export interface WsBrokerOptions {
  path?: string;
  users?: Record<string, string>;
  tls?: { certFile: string; keyFile: string };
}

export interface WsBroker {
  port: number;
  path: string;
  /** Publishes the broker acknowledged, in order, with their topic and retain flag. */
  accepted(): Array<{ topic: string; payload: string; retain: boolean }>;
  kill(): Promise<void>;
  restart(): Promise<void>;
  cleanup(): Promise<void>;
}

const MAIN = join(import.meta.dir, "_ws-broker-main.mjs");
/** Node runs the broker (see _ws-broker-main.mjs for why not Bun). */
const NODE = process.env.NODE_BIN ?? "node";

export async function startWsBroker(options: WsBrokerOptions = {}): Promise<WsBroker> {
  const dir = mkdtempSync(join(tmpdir(), "acoupi-ws-broker-"));
  const log = join(dir, "accepted.jsonl");
  const port = await freePort();
  const path = options.path ?? "/mqtt";
  const settings = JSON.stringify({ port, path, users: options.users ?? null, tls: options.tls ?? null, log });
  let proc: Subprocess<"ignore", "pipe", "pipe"> | null = null;

  async function launch(): Promise<void> {
    const child = Bun.spawn([NODE, MAIN], {
      env: { ...process.env, ACOUPI_WS_BROKER: settings },
      stdin: "ignore",
      stdout: "pipe",
      stderr: "pipe",
    });
    proc = child;
    const reader = child.stdout.getReader();
    let text = "";
    const deadline = Date.now() + 10_000;
    while (!text.includes("ready") && Date.now() < deadline) {
      const { done, value } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    reader.releaseLock();
    if (!text.includes("ready")) {
      child.kill();
      throw new Error(`The websocket broker did not start: ${text} ${await new Response(child.stderr).text()}`);
    }
  }

  async function kill(): Promise<void> {
    if (proc === null) return;
    proc.kill("SIGKILL");
    await proc.exited;
    proc = null;
  }

  await launch();
  return {
    port,
    path,
    accepted: () =>
      existsSync(log)
        ? readFileSync(log, "utf8").split("\n").filter((l) => l !== "").map((l) => JSON.parse(l) as { topic: string; payload: string; retain: boolean })
        : [],
    kill,
    async restart() {
      await kill();
      await launch();
    },
    async cleanup() {
      await kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
