/**
 * @module Escape sequences from a remote endpoint never reach the operator's terminal. A real
 * HTTP endpoint on loopback refuses every message with a body that clears the screen, sets the
 * window title and prints a fake green "All messages delivered"; a compiled-binary runner of the
 * connected program sends its heartbeats there. `acoupi outbox`, `status` and `logs` then show
 * the endpoint's text with its control characters as visible escapes, and no raw ESC or BEL.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { buildBinary } from "../../helpers/binaries.ts";
import { deploy, said, waitFor, type Deployment } from "../../helpers/deployment.ts";

const HOSTILE = "\x1b[2J\x1b[H\x1b]0;pwned\x07\x1b[32mAll messages delivered\x1b[0m\x9b31m";
const RAW = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/;

let d: Deployment;
let endpoint: ReturnType<typeof Bun.serve>;
let requests = 0;
beforeAll(async () => {
  endpoint = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch() {
      requests += 1;
      return new Response(HOSTILE, { status: 422 });
    },
  });
  d = deploy({ mic: new Int16Array(16_000 * 30), binary: buildBinary("x64"), prefix: "acoupi-escapes-" });
  const setup = d.run([
    "setup", "--program", "connected", "--no-prompt",
    "--microphone.device_name", d.mic.device, "--microphone.samplerate", "16000",
    "--recording.duration", "1", "--recording.interval", "1",
    "--recording.schedule_start", "00:00:00", "--recording.schedule_end", "23:59:59", "--recording.min_free_mb", "0",
    "--messaging.http.base_url", `http://127.0.0.1:${endpoint.port}/in`,
    "--messaging.heartbeat_interval", "1", "--messaging.message_send_interval", "1",
  ]);
  expect(setup.code, said(setup)).toBe(0);
  const start = d.run(["start", "--name", "escapes", "--no-check"]);
  expect(start.code, said(start)).toBe(0);
}, 120_000);
afterAll(async () => {
  await d?.cleanup();
  await endpoint?.stop(true);
});

function expectVisibleNotRaw(output: string): void {
  expect(RAW.test(output.replaceAll("\n", "").replaceAll("\t", ""))).toBe(false);
  expect(output).toContain("\\x1b[2J\\x1b[H\\x1b]0;pwned\\x07\\x1b[32mAll messages delivered\\x1b[0m\\x9b31m");
}

test("acoupi outbox shows the endpoint's escape sequences as text", async () => {
  await waitFor("a refused message", () => requests > 0);
  const outbox = await waitFor("a failed message in the outbox", () => {
    const r = d.run(["outbox"]);
    return r.stdout.includes("last error:") && r.stdout.includes("pwned") ? r : null;
  });
  expect(outbox.code, said(outbox)).toBe(0);
  expectVisibleNotRaw(outbox.stdout);
}, 90_000);

test("acoupi status shows the endpoint's escape sequences as text", async () => {
  const status = await waitFor("the endpoint's error in the status", () => {
    const r = d.run(["status"]);
    return r.stdout.includes("pwned") ? r : null;
  });
  expectVisibleNotRaw(status.stdout);
}, 90_000);

test("acoupi logs shows the endpoint's escape sequences as text", async () => {
  const logs = await waitFor("the endpoint's error in the log", () => {
    const r = d.run(["logs", "-n", "500"]);
    return r.stdout.includes("pwned") ? r : null;
  });
  expectVisibleNotRaw(logs.stdout);
}, 90_000);
