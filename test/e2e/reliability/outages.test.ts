/**
 * Reliability: the receiving end goes away while a busy deployment keeps producing messages.
 * The MQTT broker is stopped for several seconds and started again on the same port; an HTTP
 * endpoint answers a storm of 503s. In both cases every message the deployment created must end
 * delivered, none failed, and the receiver must hold each of them. The MQTT broker here persists
 * its sessions (unlike test/helpers/mosquitto.ts), so the test's own subscriber, with a durable
 * session, gets everything published while it was reconnecting: what it received is exact.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Subprocess } from "bun";
import type { MqttClient } from "mqtt";
import { freePort, MOSQUITTO_BIN } from "../../helpers/mosquitto.ts";
import { inspectStores, unknownPayloads } from "./_invariants.ts";
import { busySetupArgs, deploy, mustRun, mustRunAsync, readStatusFile, binaryUnderTest, terminate, waitFor, type Deployment } from "../../helpers/deployment.ts";

/** Messages in the outbox by status, read while the runner writes (WAL). */
function outboxCounts(rig: Deployment): Record<string, number> {
  const db = new Database(rig.files.messages, { readonly: true });
  try {
    const rows = db.query<{ status: string; n: number }, []>("SELECT status, COUNT(*) AS n FROM messages GROUP BY status").all();
    return Object.fromEntries(rows.map((r) => [r.status, r.n]));
  } finally {
    db.close();
  }
}

/** Pending messages that have failed at least once and wait out their backoff. */
function backingOff(rig: Deployment): number {
  const db = new Database(rig.files.messages, { readonly: true });
  try {
    return db.query<{ n: number }, []>("SELECT COUNT(*) AS n FROM messages WHERE status = 'pending' AND attempts > 0").get()?.n ?? 0;
  } finally {
    db.close();
  }
}

/** Ids of the messages in the outbox with this status. */
function idsWithStatus(rig: Deployment, status: string): string[] {
  const db = new Database(rig.files.messages, { readonly: true });
  try {
    return db.query<{ id: string }, [string]>("SELECT id FROM messages WHERE status = ?").all(status).map((r) => r.id);
  } finally {
    db.close();
  }
}

/** A Mosquitto on 127.0.0.1 that keeps sessions and queued messages across a stop and start. */
async function persistentBroker() {
  const dir = mkdtempSync(join(tmpdir(), "acoupi-rel-broker-"));
  const port = await freePort();
  const config = join(dir, "mosquitto.conf");
  const lines = [`listener ${port} 127.0.0.1`, "allow_anonymous true", "persistence true", `persistence_location ${dir}/`, `log_dest file ${join(dir, "log")}`];
  if (process.getuid?.() === 0) lines.push("user root");
  writeFileSync(config, `${lines.join("\n")}\n`);
  let proc: Subprocess | null = null;
  async function start() {
    proc = Bun.spawn([MOSQUITTO_BIN, "-c", config], { stdout: "ignore", stderr: "ignore" });
    await waitFor("the broker to accept connections", async () => {
      try {
        const socket = await Bun.connect({ hostname: "127.0.0.1", port, socket: { data() {} } });
        socket.end();
        return true;
      } catch (error) {
        if (!/ECONNREFUSED|refused/i.test(String((error as { code?: string }).code ?? error))) throw error;
        return false;
      }
    });
  }
  async function stop() {
    const running = proc;
    proc = null;
    if (running === null) return;
    running.kill("SIGTERM");
    await running.exited;
  }
  await start();
  return { port, start, stop, cleanup: async () => (await stop(), rmSync(dir, { recursive: true, force: true })) };
}

describe("outages of the message receiver", () => {
  let binary: string;
  beforeAll(() => {
    binary = binaryUnderTest();
  }, 120_000);

  describe("the MQTT broker is down for a while", () => {
    let rig: Deployment;
    let broker: Awaited<ReturnType<typeof persistentBroker>>;
    let client: MqttClient;
    const received: string[] = [];

    beforeAll(async () => {
      broker = await persistentBroker();
      const { connectAsync } = await import("mqtt");
      client = await connectAsync({ host: "127.0.0.1", port: broker.port, clientId: "reliability-subscriber", clean: false, reconnectPeriod: 200 });
      client.on("message", (topic, payload) => {
        if (!topic.endsWith("/status")) received.push(payload.toString("utf8"));
      });
      await client.subscribeAsync("acoupi/#", { qos: 1 });
      rig = deploy({ binary, micSeconds: 45 });
      mustRun(rig, busySetupArgs({ mqttPort: broker.port }));
    }, 60_000);

    afterAll(async () => {
      await client?.endAsync(true);
      await broker?.cleanup();
      rig?.cleanup();
    });

    test("every message created before, during and after the outage is delivered once the broker is back", async () => {
      const runner = rig.spawn(["start", "--name", "mqtt-outage", "--no-check", "--foreground"]);
      await waitFor("messages delivered before the outage", () => readStatusFile(rig)?.pid === runner.pid && (outboxCounts(rig).delivered ?? 0) >= 5);
      await broker.stop();
      await Bun.sleep(6000);
      const during = outboxCounts(rig);
      const waiting = idsWithStatus(rig, "pending");
      expect(waiting.length).toBeGreaterThan(3);
      await broker.start();
      // The backlog drains while the deployment goes on making messages.
      await waitFor("the backlog to drain", () => {
        const delivered = new Set(idsWithStatus(rig, "delivered"));
        // A message that failed waits out its backoff, which the last send on stop does not skip.
        return waiting.every((id) => delivered.has(id)) && backingOff(rig) === 0;
      }, 30_000, 200);
      expect(await terminate(runner)).toBe(0);
      await mustRunAsync(rig, ["stop"]);
      await waitFor("the subscriber to catch up", () => {
        const inspection = inspectStores(rig);
        return [...inspection.messages.values()].every((m) => received.includes(m.content));
      }, 10_000, 200);
      const final = inspectStores(rig, { received: new Set(received) });
      console.log(`MQTT outage: ${waiting.length} messages waited during the outage; ${final.messages.size} messages in all ${JSON.stringify(final.byStatus)}, ${received.length} received`);
      expect(final.problems).toEqual([]);
      expect(final.byStatus).toEqual({ delivered: final.messages.size });
      expect(unknownPayloads(final, received)).toEqual([]);
    }, 90_000);
  });

  describe("the HTTP endpoint answers a storm of 503s", () => {
    let rig: Deployment;
    let server: ReturnType<typeof Bun.serve>;
    let storm = true;
    let refused = 0;
    const received: string[] = [];

    beforeAll(() => {
      server = Bun.serve({
        hostname: "127.0.0.1",
        port: 0,
        async fetch(request) {
          const body = await request.text();
          if (storm) {
            refused++;
            return new Response("overloaded", { status: 503, headers: { "Retry-After": "1" } });
          }
          received.push(body);
          return new Response("ok");
        },
      });
      rig = deploy({ binary, micSeconds: 45 });
      mustRun(rig, busySetupArgs({ httpUrl: server.url.href }));
    });

    afterAll(() => {
      server?.stop(true);
      rig?.cleanup();
    });

    test("every message is delivered after the storm, none marked failed", async () => {
      const runner = rig.spawn(["start", "--name", "http-storm", "--no-check", "--foreground"]);
      await waitFor("the runner to start", () => readStatusFile(rig)?.pid === runner.pid);
      await waitFor("a storm of 503s", () => refused >= 20, 30_000);
      const during = outboxCounts(rig);
      const waiting = idsWithStatus(rig, "pending");
      expect(during.delivered ?? 0).toBe(0);
      expect(during.failed ?? 0).toBe(0);
      storm = false;
      await waitFor("the backlog to drain", () => {
        const delivered = new Set(idsWithStatus(rig, "delivered"));
        // A message that failed waits out its backoff, which the last send on stop does not skip.
        return waiting.every((id) => delivered.has(id)) && backingOff(rig) === 0;
      }, 30_000, 200);
      expect(await terminate(runner)).toBe(0);
      await mustRunAsync(rig, ["stop"]);
      const final = inspectStores(rig, { received: new Set(received) });
      console.log(`HTTP 503 storm: ${refused} requests refused, ${waiting.length} messages waited; ${final.messages.size} messages in all ${JSON.stringify(final.byStatus)}, ${received.length} received`);
      expect(final.problems).toEqual([]);
      expect(final.byStatus).toEqual({ delivered: final.messages.size });
      expect(unknownPayloads(final, received)).toEqual([]);
      expect([...final.messages.values()].filter((m) => !received.includes(m.content))).toEqual([]);
    }, 90_000);
  });
});
