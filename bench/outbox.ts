/**
 * @module Outbox flush throughput and latency: N detection-size messages (acoupi's ModelOutput
 * JSON, three detections, about 1 KB) are stored in the outbox, then `send_messages_task` sends
 * them through MqttMessenger at QoS 1 to a real Mosquitto on 127.0.0.1, recording each outcome in
 * the outbox. Side by side in the same run: `mosquitto_pub -l -q 1` publishing the same payloads
 * from a file, and MqttMessenger alone (no outbox) with the same number in flight. Latency is the
 * median store→PUBACK time of a message stored and sent on its own (a send run right after the
 * store), and the median send→PUBACK time inside the backlog flush. A QoS 1 subscriber counts
 * what reached the broker. Figures only, no assertions.
 * Run: ./node_modules/.bin/bun bench/outbox.ts [N]
 */
import { createConsola } from "consola";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SqliteMessageStore } from "../src/components/message-stores/sqlite-message-store.ts";
import { MqttConfigSchema, MqttMessenger } from "../src/components/messengers/mqtt-messenger.ts";
import type { Messenger } from "../src/components/messengers/types.ts";
import { createDeployment, createMessage, modelOutputJson, type Message, type ModelOutput, type Response } from "../src/data/index.ts";
import { DEFAULT_SEND_CONCURRENCY, sendMessagesTask } from "../src/tasks/send-messages.ts";
import { startMosquitto, subscribeMqtt } from "../test/helpers/mosquitto.ts";

const N = Number(process.argv[2] ?? 20000);
const SINGLES = 200;
const DEVICE = "bench";
const TOPIC = `acoupi/${DEVICE}`;
const quiet = createConsola({ level: -999 });

function detectionPayload(i: number): string {
  const deployment = createDeployment({ name: "bench site", latitude: 51.5, longitude: -0.1, now: new Date(Date.UTC(2024, 0, 1)) });
  const created = new Date(Date.UTC(2024, 4, 1) + i * 3000);
  const output: ModelOutput = {
    id: crypto.randomUUID(),
    name_model: "BirdNET",
    recording: {
      id: crypto.randomUUID(), created_on: created, duration: 3, samplerate: 48000, deployment,
      path: `/run/shm/${created.getTime()}.wav`, audio_channels: 1, time_expansion: 1, bit_depth: 16,
    },
    detections: Array.from({ length: 3 }, (_, d) => ({
      id: crypto.randomUUID(),
      prediction_type: "presence" as const,
      location: { type: "BoundingBox" as const, coordinates: [d, 0, d + 1, 24000] as [number, number, number, number] },
      detection_score: 0.9 - d / 10,
      tags: [{ tag: { key: "species", value: "Turdus merula" }, confidence_score: 0.9 - d / 10 }],
    })),
    created_on: new Date(created.getTime() + 3500),
  };
  return modelOutputJson(output);
}

function median(values: number[]): number {
  const sorted = values.toSorted((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

function percentile(values: number[], p: number): number {
  const sorted = values.toSorted((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? Number.NaN;
}

/** Times each send of the messenger it wraps (dispatch to PUBACK), by message id. */
class TimedMessenger implements Messenger {
  readonly acked = new Map<string, number>();
  readonly inFlightMs: number[] = [];
  constructor(readonly inner: Messenger) {}
  async send(message: Message): Promise<Response> {
    const start = performance.now();
    const response = await this.inner.send(message);
    const end = performance.now();
    this.acked.set(message.id, end);
    this.inFlightMs.push(end - start);
    return response;
  }
  check(): ReturnType<Messenger["check"]> {
    return this.inner.check();
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}

function messenger(port: number, name: string): MqttMessenger {
  return new MqttMessenger(MqttConfigSchema.parse({ host: "127.0.0.1", port, client_id: `bench-${name}`, qos: 1 }), { deviceId: DEVICE });
}

const dir = mkdtempSync(join(tmpdir(), "acoupi-bench-outbox-"));
const broker = await startMosquitto();
const subscriber = await subscribeMqtt({ port: broker.port, topic: TOPIC });
const waitFor = async (count: number): Promise<boolean> => {
  const deadline = Date.now() + 60_000;
  while (subscriber.received().length < count && Date.now() < deadline) await Bun.sleep(10);
  return subscriber.received().length >= count;
};

try {
  const payloads = Array.from({ length: N }, (_, i) => detectionPayload(i));
  const bytes = payloads.reduce((sum, p) => sum + Buffer.byteLength(p), 0);
  console.log(`${N} detection messages, ${Math.round(bytes / N)} bytes each; Mosquitto on 127.0.0.1:${broker.port}, QoS 1`);
  console.log(`send_messages_task with ${DEFAULT_SEND_CONCURRENCY} in flight; outbox on SQLite, synchronous FULL (the default)\n`);

  // 1. Ours: outbox → send_messages_task → MqttMessenger → PUBACK → storeResponse.
  const outbox = new SqliteMessageStore({ messages_db: join(dir, "messages.db"), max_rows: N * 2, max_bytes: bytes * 4 }, { logger: quiet });
  let t0 = performance.now();
  outbox.transaction(() => {
    for (const p of payloads) outbox.storeMessage(createMessage("detection", p));
  });
  const fillMs = performance.now() - t0;
  const timed = new TimedMessenger(messenger(broker.port, "ours"));
  await timed.check();
  const task = sendMessagesTask({ outbox, messengers: timed, logger: quiet }).run;
  t0 = performance.now();
  const result = await task();
  const oursMs = performance.now() - t0;
  const oursArrived = await waitFor(N);
  const oursRate = (result.delivered / oursMs) * 1000;

  // 2. Ours, one message at a time: store, then a send run: store→PUBACK.
  const singleMs: number[] = [];
  for (let i = 0; i < SINGLES; i++) {
    const message = createMessage("detection", payloads[i % N] as string);
    const start = performance.now();
    outbox.storeMessage(message);
    await task();
    singleMs.push((timed.acked.get(message.id) ?? Number.NaN) - start);
  }
  await waitFor(N + SINGLES);
  await timed.close();
  outbox.close();

  // 3. MqttMessenger alone: same payloads, same number in flight, no outbox.
  const bare = messenger(broker.port, "bare");
  await bare.check();
  const messages = payloads.map((p) => createMessage("detection", p));
  let next = 0;
  t0 = performance.now();
  await Promise.all(Array.from({ length: DEFAULT_SEND_CONCURRENCY }, async () => {
    while (next < messages.length) await bare.send(messages[next++] as Message);
  }));
  const bareMs = performance.now() - t0;
  await bare.close();
  const bareArrived = await waitFor(2 * N + SINGLES);

  // 4. The reference: mosquitto_pub reading one message per line.
  const lines = join(dir, "payloads.txt");
  writeFileSync(lines, `${payloads.join("\n")}\n`);
  const pub = (input: string, extra: string[] = []) =>
    Bun.spawn(["mosquitto_pub", "-h", "127.0.0.1", "-p", String(broker.port), "-t", TOPIC, "-q", "1", "-i", `bench-pub-${crypto.randomUUID().slice(0, 8)}`, ...extra], {
      stdin: Bun.file(input),
      stdout: "ignore",
      stderr: "pipe",
    });
  t0 = performance.now();
  const proc = pub(lines, ["-l"]);
  const code = await proc.exited;
  const pubMs = performance.now() - t0;
  const pubArrived = await waitFor(3 * N + SINGLES);
  if (code !== 0) console.log(`mosquitto_pub exited ${code}: ${(await new Response(proc.stderr).text()).trim()}`);
  const pubRate = (N / pubMs) * 1000;

  // 5. mosquitto_pub for one message (process start + connect + PUBACK), the one-shot reference.
  const one = join(dir, "one.txt");
  writeFileSync(one, payloads[0] as string);
  const pubSingleMs: number[] = [];
  for (let i = 0; i < 20; i++) {
    const start = performance.now();
    await pub(one, ["-s"]).exited;
    pubSingleMs.push(performance.now() - start);
  }

  const row = (name: string, ms: number, delivered: number, arrived: boolean) =>
    console.log(`${name.padEnd(44)} ${ms.toFixed(0).padStart(7)} ms  ${((delivered / ms) * 1000).toFixed(0).padStart(7)} msg/s  ${arrived ? "all arrived" : "NOT ALL ARRIVED"}`);
  console.log(`outbox fill (one transaction)               ${fillMs.toFixed(0).padStart(7)} ms  ${((N / fillMs) * 1000).toFixed(0).padStart(7)} msg/s`);
  row("ours: outbox flush (send_messages_task)", oursMs, result.delivered, oursArrived);
  row("MqttMessenger alone (no outbox)", bareMs, N, bareArrived);
  row("mosquitto_pub -l -q 1", pubMs, N, pubArrived);
  console.log(`\nflush result: ${JSON.stringify({ ...result, lastError: result.lastError?.message ?? null })}`);
  console.log(`ratio ours / mosquitto_pub throughput: ${(oursRate / pubRate).toFixed(2)}  (goal ≥ 2000 msg/s: ${oursRate >= 2000 ? "met" : "NOT met"})`);
  console.log(`ratio ours / MqttMessenger alone: ${(oursRate / ((N / bareMs) * 1000)).toFixed(2)}  (the outbox's share of the cost)`);
  const inFlight = timed.inFlightMs.slice(0, N);
  console.log(`\nin-flight send→PUBACK during the flush: median ${median(inFlight).toFixed(2)} ms, p95 ${percentile(inFlight, 0.95).toFixed(2)} ms`);
  console.log(`store→PUBACK of a message sent on its own (${SINGLES} runs): median ${median(singleMs).toFixed(2)} ms, p95 ${percentile(singleMs, 0.95).toFixed(2)} ms`);
  console.log(`mosquitto_pub one message (spawn + connect + PUBACK, 20 runs): median ${median(pubSingleMs).toFixed(2)} ms`);
  console.log(`ratio ours / mosquitto_pub one-message latency: ${(median(singleMs) / median(pubSingleMs)).toFixed(2)}`);
} finally {
  await subscriber.stop();
  await broker.cleanup();
  rmSync(dir, { recursive: true, force: true });
}
