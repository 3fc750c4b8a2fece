/**
 * @module A web page that cannot start does not stop the sensor: with its port already taken,
 * the runner records on, and `acoupi status` shows the reason as degraded. `acoupi web url` then
 * says the page is down and prints neither that port nor the token: a browser would hand the
 * token to the program holding the port. Run on the compiled binary.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { buildBinary } from "../../helpers/binaries.ts";
import { countRows, deploy, said, waitFor, type Deployment } from "../../helpers/deployment.ts";

let d: Deployment;
let squatter: ReturnType<typeof Bun.serve>;
beforeAll(async () => {
  squatter = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response("someone else") });
  d = deploy({ mic: new Int16Array(16_000 * 20), prefix: "acoupi-web-port-", binary: buildBinary("x64") });
});
afterAll(async () => {
  await d.cleanup();
  await squatter.stop(true);
});

test("with its port taken the runner records on and status says why the page is missing", async () => {
  const port = String(squatter.port);
  const setup = d.run([
    "setup", "--program", "default", "--no-prompt", "--microphone.device_name", d.mic.device, "--microphone.samplerate", "16000",
    "--recording.duration", "1", "--recording.interval", "1", "--recording.schedule_start", "00:00:00", "--recording.schedule_end", "23:59:59",
    "--recording.min_free_mb", "0", "--web.enabled", "true", "--web.host", "0.0.0.0", "--web.port", port,
  ]);
  expect(setup.code, said(setup)).toBe(0);
  expect(d.run(["start", "--name", "busy-port", "--no-check"]).code).toBe(0);
  await waitFor("two recordings", () => countRows(join(d.home.acoupiHome, "storages/metadata.db"), "SELECT id FROM recordings") >= 2);
  const status = await waitFor("the degraded status", () => {
    const result = d.run(["status"]);
    return result.stdout.includes("health : degraded") ? result : null;
  });
  expect(status.stdout).toContain(`web: cannot serve on 0.0.0.0:${port}`);
  expect(await (await fetch(`http://127.0.0.1:${port}/`)).text()).toBe("someone else");
}, 60_000);

test("with its port taken acoupi web url says the page is down and prints no token for that port", () => {
  const printed = d.run(["web", "url"]);
  const token = readFileSync(join(d.home.acoupiHome, "config/web-token"), "utf8").trim();
  expect(printed.code).toBe(1);
  expect(printed.stdout).toBe("");
  expect(printed.stderr).toContain("The web page is down");
  expect(`${printed.stdout}${printed.stderr}`).not.toContain(token);
  expect(printed.stderr).not.toContain("internal error");
});
