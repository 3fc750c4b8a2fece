/**
 * @module The real runner under NOTIFY_SOCKET: `acoupi start` (no systemd here, so it launches
 * `acoupi run` itself) sends READY=1, then WATCHDOG=1 on its heartbeats, then STOPPING=1 on stop
 * and nothing after, to a real unix socket. The in-process sd_notify tests are in
 * test/system/systemd/notify.test.ts.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { makeTempHome, runAcoupi, type TempHome } from "../../../helpers/cli.ts";
import { python3Available, startNotifyListener } from "../../../helpers/notify-listener.ts";

const withPython = python3Available() ? describe : describe.skip;

withPython("the real runner under NOTIFY_SOCKET", () => {
  let home: TempHome;
  beforeAll(() => {
    home = makeTempHome();
  });
  afterAll(() => home.cleanup());

  test("acoupi run sends READY=1, then WATCHDOG=1 on heartbeats, then STOPPING=1 on stop", async () => {
    const listener = await startNotifyListener("path");
    try {
      // No systemd here: `start` launches `acoupi run` itself, with our NOTIFY_SOCKET and a 1 s watchdog.
      const env = { ...home.env, ACOUPI_SYSTEMD: "0", NOTIFY_SOCKET: listener.address, WATCHDOG_USEC: "1000000" };
      expect(runAcoupi(["setup", "--program", "test", "--no-prompt"], env).code).toBe(0);
      const start = runAcoupi(["start", "--name", "notify-site", "--no-check"], env);
      expect(start.code).toBe(0);
      await listener.waitFor((m) => m.includes("WATCHDOG=1"));
      const first = listener.messages.findIndex((m) => m.includes("READY=1"));
      const watchdog = listener.messages.findIndex((m) => m.includes("WATCHDOG=1"));
      expect(first).toBe(0);
      expect(listener.messages[0]).toBe("READY=1\nSTATUS=Running program test");
      expect(watchdog).toBeGreaterThan(first);
      const stop = runAcoupi(["stop"], env);
      expect(stop.code).toBe(0);
      const all = await listener.waitFor((m) => m.startsWith("STOPPING=1"));
      const stopping = all.findIndex((m) => m.startsWith("STOPPING=1"));
      expect(all.slice(stopping + 1).some((m) => m.includes("WATCHDOG=1"))).toBe(false);
    } finally {
      listener.close();
    }
  }, 60_000);
});
