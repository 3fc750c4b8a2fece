/**
 * Reliability: an HTTP endpoint that answers 302. Following it would turn each POST into a
 * bodiless GET whose 200 marks the message delivered although no body reached any server. The
 * compiled binary runs a busy `detection` deployment sending to a Bun.serve endpoint that
 * redirects every POST to a path that answers GET with 200. No message may be marked delivered, no
 * request may reach the redirect target, and `acoupi status` must say degraded (exit 5) naming the
 * 302; once the endpoint accepts the POSTs, the kept messages are delivered.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { busySetupArgs, deploy, mustRun, readStatusFile, binaryUnderTest, statusJsonAsync, terminate, waitFor, type Deployment } from "../../helpers/deployment.ts";

function idsWithStatus(rig: Deployment, status: string): string[] {
  const db = new Database(rig.files.messages, { readonly: true });
  try {
    db.run("PRAGMA busy_timeout = 5000");
    return db.query<{ id: string }, [string]>("SELECT id FROM messages WHERE status = ?").all(status).map((r) => r.id);
  } finally {
    db.close();
  }
}

function outbox(rig: Deployment): Record<string, number> {
  const db = new Database(rig.files.messages, { readonly: true });
  try {
    db.run("PRAGMA busy_timeout = 5000");
    const out: Record<string, number> = {};
    for (const { status, n } of db.query<{ status: string; n: number }, []>("SELECT status, COUNT(*) AS n FROM messages GROUP BY status").all()) out[status] = n;
    return out;
  } finally {
    db.close();
  }
}

describe("an HTTP endpoint that redirects", () => {
  let rig: Deployment;
  let server: ReturnType<typeof Bun.serve>;
  let redirecting = true;
  let redirects = 0;
  const atTarget: string[] = [];
  const received: string[] = [];

  beforeAll(() => {
    server = Bun.serve({
      hostname: "127.0.0.1",
      port: 0,
      async fetch(request) {
        const url = new URL(request.url);
        const body = await request.text();
        if (url.pathname === "/moved-here") {
          atTarget.push(`${request.method} ${body.length}`);
          return new Response("ok");
        }
        if (redirecting) {
          redirects++;
          return new Response(null, { status: 302, headers: { Location: "/moved-here" } });
        }
        received.push(body);
        return new Response("ok");
      },
    });
    rig = deploy({ binary: binaryUnderTest(), micSeconds: 30 });
    mustRun(rig, busySetupArgs({ httpUrl: `${server.url.origin}/in` }));
  });
  afterAll(() => {
    server?.stop(true);
    rig?.cleanup();
  });

  test("a 302 is a kept, reported failure: nothing is marked delivered until the endpoint takes the POSTs", async () => {
    const runner = rig.spawn(["start", "--name", "redirect", "--no-check", "--foreground"], { ACOUPI_STATUS_INTERVAL: "0.5" });
    try {
      await waitFor("the runner", () => readStatusFile(rig)?.pid === runner.pid);
      await waitFor("several redirects", () => redirects >= 5, 30_000);
      const report = await waitFor("status to name the redirect", async () => {
        const s = await statusJsonAsync<{ degraded: string[] }>(rig);
        return s.degraded.some((d) => d.includes("302")) && s;
      }, 20_000, 250);
      expect(report.exitCode).toBe(5);
      expect(outbox(rig).delivered ?? 0).toBe(0);
      expect(atTarget).toEqual([]);

      const kept = idsWithStatus(rig, "pending");
      expect(kept.length).toBeGreaterThan(0);
      redirecting = false;
      await waitFor("the kept messages to be delivered", () => {
        const delivered = new Set(idsWithStatus(rig, "delivered"));
        return kept.every((id) => delivered.has(id));
      }, 30_000, 200);
      expect(outbox(rig).failed ?? 0).toBe(0);
    } finally {
      expect(await terminate(runner)).toBe(0);
    }
    expect(received.length).toBeGreaterThan(0);
  }, 90_000);
});
