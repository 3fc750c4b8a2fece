/**
 * @module The web server in-process on a real Bun.serve over loopback: read-only routes, masked
 * secrets, audio byte ranges and /metrics. The token on a non-loopback bind (its page loads a
 * spectrogram, rendered by a child `acoupi`) and `acoupi web url` are in test/e2e/web/server.test.ts.
 */
import { judgeStatus, STATUS_EXIT } from "../../src/status/health.ts";
import { describe, expect, test } from "bun:test";
import { acoupiPaths } from "../../src/system/paths.ts";
import type { TempHome } from "../helpers/cli.ts";
import { RECORDING_IDS } from "../helpers/fixture-db.ts";
import { startFixtureWebServer as start, useFixtureHome } from "../helpers/web-server.ts";

describe("the web server", () => {
  let home: TempHome;
  useFixtureHome((made) => {
    home = made;
  });

  test("on the loopback bind no token is needed, and nothing can be changed", async () => {
    const server = start(home, "127.0.0.1");
    try {
      const base = `http://127.0.0.1:${server.port}`;
      expect(server.url).toBe(`${base}/`);
      expect((await fetch(`${base}/`)).status).toBe(200);
      const post = await fetch(`${base}/`, { method: "POST", body: "x" });
      expect(post.status).toBe(405);
      expect(post.headers.get("allow")).toBe("GET, HEAD");
      expect((await fetch(`${base}/recordings/${RECORDING_IDS[0]}/audio.wav`, { method: "DELETE" })).status).toBe(405);
      expect((await fetch(`${base}/etc/passwd`)).status).toBe(404);
    } finally {
      await server.stop();
    }
  });

  test("the page masks secrets and the audio route serves byte ranges", async () => {
    const server = start(home, "127.0.0.1", { token: "s3cret-token-value" });
    try {
      const base = `http://127.0.0.1:${server.port}`;
      const html = await (await fetch(`${base}/`)).text();
      expect(html).not.toContain("s3cret-token-value");
      expect(html).toContain("&quot;token&quot;: &quot;********&quot;");
      const whole = await fetch(`${base}/recordings/${RECORDING_IDS[0]}/audio.wav`);
      expect(whole.status).toBe(200);
      expect(whole.headers.get("content-type")).toBe("audio/wav");
      expect((await whole.arrayBuffer()).byteLength).toBe(1000);
      const part = await fetch(`${base}/recordings/${RECORDING_IDS[0]}/audio.wav`, { headers: { range: "bytes=100-199" } });
      expect(part.status).toBe(206);
      expect(part.headers.get("content-range")).toBe("bytes 100-199/1000");
      expect((await part.arrayBuffer()).byteLength).toBe(100);
      expect((await fetch(`${base}/recordings/${RECORDING_IDS[0]}/audio.wav`, { headers: { range: "bytes=5000-" } })).status).toBe(416);
      // Files are found by recording id only; an id the database does not know is not found.
      expect((await fetch(`${base}/recordings/00000000-0000-4000-8000-0000000000ff/audio.wav`)).status).toBe(404);
    } finally {
      await server.stop();
    }
  });

  test("/metrics is Prometheus text with each family grouped under its HELP and TYPE", async () => {
    const server = start(home, "127.0.0.1");
    try {
      const response = await fetch(`http://127.0.0.1:${server.port}/metrics`);
      expect(response.headers.get("content-type")).toBe("text/plain; version=0.0.4; charset=utf-8");
      const body = await response.text();
      expect(body).toContain('acoupi_recordings{state="temp"} 4\n');
      expect(body).toContain('acoupi_recordings{state="discarded"} 1\n');
      // Exactly the state `acoupi status` judges is 1, among all of them.
      const health = judgeStatus(acoupiPaths(home.acoupiHome)).health;
      expect(body).toContain(`acoupi_health{state="${health}"} 1\n`);
      expect(body.match(/^acoupi_health\{state="[^"]+"\} 1$/gm)).toHaveLength(1);
      expect(body.match(/^acoupi_health\{/gm)).toHaveLength(Object.keys(STATUS_EXIT).length);
      expect(body).toMatch(/\nacoupi_disk_free_bytes\{path="[^"]+"\} \d+\n/);
      const seen: string[] = [];
      for (const line of body.trimEnd().split("\n")) {
        const family = line.startsWith("#") ? (line.split(" ")[2] as string) : (/^([a-z_]+?)(_sum|_count)?[{ ]/.exec(line)?.[1] as string);
        expect(family).toMatch(/^acoupi_[a-z_]+$/);
        if (seen[seen.length - 1] !== family) {
          expect(seen).not.toContain(family);
          seen.push(family);
        }
      }
    } finally {
      await server.stop();
    }
  });
});
