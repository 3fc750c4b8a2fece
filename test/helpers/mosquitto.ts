/**
 * @module A real Mosquitto broker for tests: Debian's `/usr/sbin/mosquitto` on a free
 * 127.0.0.1 port, with a config written to a temp dir (anonymous, a password file made with
 * `mosquitto_passwd -b`, or TLS with test certificates). `startMosquitto` resolves once the
 * broker accepts TCP connections; `stop`/`restart`/`kill` let outage tests take it down and bring
 * it back on the same port, and `cleanup` stops it and removes the temp dir.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Subprocess } from "bun";

export const MOSQUITTO_BIN = process.env.MOSQUITTO_BIN ?? "/usr/sbin/mosquitto";

export interface MosquittoTlsOptions {
  certFile: string;
  keyFile: string;
  /** CA that client certificates must chain to; with `requireClientCert`. */
  caFile?: string;
  requireClientCert?: boolean;
}

export interface MosquittoOptions {
  /** Users and passwords for a password file; when given, anonymous clients are refused. */
  users?: Record<string, string>;
  /** Allow anonymous clients; defaults to true without `users`, false with them. */
  anonymous?: boolean;
  tls?: MosquittoTlsOptions;
  /** A fixed port; by default a free one is picked. */
  port?: number;
}

export interface MosquittoBroker {
  host: "127.0.0.1";
  port: number;
  dir: string;
  /** Stops the broker gracefully (SIGTERM) and waits for it to exit; the port stays reserved. */
  stop(): Promise<void>;
  /** Starts the broker again on the same port (stopping it first if it runs). */
  restart(): Promise<void>;
  /** Kills the broker with SIGKILL, as a crash or power cut would. */
  kill(): Promise<void>;
  /** Stops the broker and removes its temp dir. Safe to call twice. */
  cleanup(): Promise<void>;
  /** The broker's log so far, for failure messages. */
  log(): string;
}

/** Finds a port that is free on 127.0.0.1 right now. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const address = server.address();
  const port = typeof address === "object" && address !== null ? address.port : 0;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (port === 0) throw new Error("Could not find a free port on 127.0.0.1");
  return port;
}

async function acceptsConnections(port: number): Promise<boolean> {
  try {
    const socket = await Bun.connect({
      hostname: "127.0.0.1",
      port,
      socket: { data() {}, error() {} },
    });
    socket.end();
    return true;
  } catch (error) {
    if (error instanceof Error && /ECONNREFUSED|refused/i.test(`${error.message} ${(error as { code?: string }).code ?? ""}`)) {
      return false;
    }
    throw error;
  }
}

function writeConfig(dir: string, port: number, opts: MosquittoOptions): string {
  const lines = [
    `listener ${port} 127.0.0.1`,
    `allow_anonymous ${opts.anonymous ?? opts.users === undefined}`,
    "persistence false",
    `log_dest file ${join(dir, "mosquitto.log")}`,
    "log_type error",
    "log_type warning",
    "log_type notice",
    "log_type information",
    "connection_messages true",
  ];
  // As root, mosquitto would drop to the "mosquitto" user and lose access to the temp dir.
  if (process.getuid?.() === 0) lines.push("user root");
  if (opts.users !== undefined) {
    const passwordFile = join(dir, "passwords");
    let create = true;
    for (const [user, password] of Object.entries(opts.users)) {
      const args = ["mosquitto_passwd", "-b", ...(create ? ["-c"] : []), passwordFile, user, password];
      const result = Bun.spawnSync(args, { stdout: "pipe", stderr: "pipe" });
      if (result.exitCode !== 0) {
        throw new Error(`mosquitto_passwd failed for user "${user}": ${result.stderr.toString().trim()}`);
      }
      create = false;
    }
    lines.push(`password_file ${passwordFile}`);
  }
  if (opts.tls !== undefined) {
    lines.push(`certfile ${opts.tls.certFile}`, `keyfile ${opts.tls.keyFile}`);
    if (opts.tls.caFile !== undefined) lines.push(`cafile ${opts.tls.caFile}`);
    if (opts.tls.requireClientCert === true) lines.push("require_certificate true");
  }
  const configFile = join(dir, "mosquitto.conf");
  writeFileSync(configFile, `${lines.join("\n")}\n`);
  return configFile;
}

/** Starts a Mosquitto broker on 127.0.0.1 and resolves once it accepts connections. */
export async function startMosquitto(opts: MosquittoOptions = {}): Promise<MosquittoBroker> {
  const dir = mkdtempSync(join(tmpdir(), "acoupi-mosquitto-"));
  const port = opts.port ?? (await freePort());
  const configFile = writeConfig(dir, port, opts);
  const logFile = join(dir, "mosquitto.log");
  let proc: Subprocess | null = null;
  let cleaned = false;

  const readLog = (): string => (existsSync(logFile) ? readFileSync(logFile, "utf8") : "");

  async function start(): Promise<void> {
    const child = Bun.spawn([MOSQUITTO_BIN, "-c", configFile], { stdout: "ignore", stderr: "pipe" });
    proc = child;
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      if (child.exitCode !== null || child.signalCode !== null) {
        const stderr = await new Response(child.stderr).text();
        throw new Error(`mosquitto exited with code ${child.exitCode} before accepting connections: ${stderr.trim()}\n${readLog()}`);
      }
      if (await acceptsConnections(port)) return;
      await Bun.sleep(20);
    }
    child.kill("SIGKILL");
    throw new Error(`mosquitto did not accept connections on 127.0.0.1:${port} within 10 s\n${readLog()}`);
  }

  async function halt(signal: "SIGTERM" | "SIGKILL"): Promise<void> {
    const child = proc;
    proc = null;
    if (child === null || child.exitCode !== null || child.signalCode !== null) return;
    child.kill(signal);
    await child.exited;
  }

  await start();
  return {
    host: "127.0.0.1",
    port,
    dir,
    stop: () => halt("SIGTERM"),
    kill: () => halt("SIGKILL"),
    async restart() {
      await halt("SIGTERM");
      await start();
    },
    async cleanup() {
      if (cleaned) return;
      cleaned = true;
      await halt("SIGTERM");
      rmSync(dir, { recursive: true, force: true });
    },
    log: readLog,
  };
}

export interface MqttSubscriberOptions {
  port: number;
  topic: string;
  username?: string;
  password?: string;
  /** PEM CA file; connects with TLS when given. */
  caFile?: string;
}

export interface MqttSubscriber {
  /** Payloads received so far, as UTF-8 text, in arrival order. */
  received(): string[];
  /** Payloads with their retain flag, for last-will tests. */
  messages(): Array<{ topic: string; payload: string; retain: boolean }>;
  stop(): Promise<void>;
}

/** A plain mqtt.js subscriber on the test broker (QoS 1), to see what a messenger delivered. */
export async function subscribeMqtt(opts: MqttSubscriberOptions): Promise<MqttSubscriber> {
  const { connectAsync } = await import("mqtt");
  const client = await connectAsync({
    host: "127.0.0.1",
    port: opts.port,
    protocol: opts.caFile === undefined ? "mqtt" : "mqtts",
    ...(opts.caFile === undefined ? {} : { ca: readFileSync(opts.caFile) }),
    ...(opts.username === undefined ? {} : { username: opts.username, password: opts.password }),
    clientId: `test-subscriber-${crypto.randomUUID()}`,
    reconnectPeriod: 0,
  });
  const messages: Array<{ topic: string; payload: string; retain: boolean }> = [];
  client.on("message", (topic, payload, packet) => {
    messages.push({ topic, payload: payload.toString("utf8"), retain: packet.retain });
  });
  await client.subscribeAsync(opts.topic, { qos: 1 });
  return {
    received: () => messages.map((m) => m.payload),
    messages: () => [...messages],
    async stop() {
      await client.endAsync(true);
    },
  };
}
