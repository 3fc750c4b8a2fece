/**
 * @module sd_notify from the runner to systemd, in process: the state text reaches a real unix
 * socket (a filesystem path, an abstract @ name, or through systemd-notify), an unhealthy
 * scheduler gets a degraded STATUS and no WATCHDOG=1, and the runner's hooks follow NOTIFY_SOCKET
 * and WATCHDOG_USEC. The real runner under NOTIFY_SOCKET is test/e2e/system/systemd/notify.test.ts.
 */
import { describe, expect, test } from "bun:test";
import { notify, viaSystemdNotify, watchdogMs } from "../../../src/system/systemd/notify.ts";
import { systemdRunnerHooks } from "../../../src/app/systemd-hooks.ts";
import { python3Available, startNotifyListener } from "../../helpers/notify-listener.ts";

if (!python3Available()) console.warn("Skipping the sd_notify socket tests: python3 (the test's datagram listener) is not installed");
const withPython = python3Available() ? describe : describe.skip;

withPython("notify sends sd_notify datagrams to a real unix socket", () => {
  test("a filesystem socket receives the exact state text", async () => {
    const listener = await startNotifyListener("path");
    try {
      expect(notify("READY=1\nSTATUS=Running program test", { NOTIFY_SOCKET: listener.address })).toBe(true);
      expect(await listener.waitFor((m) => m.startsWith("READY=1"))).toEqual(["READY=1\nSTATUS=Running program test"]);
    } finally {
      listener.close();
    }
  });

  test("an abstract socket spelled with @ receives it too", async () => {
    const listener = await startNotifyListener("abstract");
    try {
      expect(notify("WATCHDOG=1", { NOTIFY_SOCKET: listener.address })).toBe(true);
      expect(await listener.waitFor((m) => m === "WATCHDOG=1")).toEqual(["WATCHDOG=1"]);
    } finally {
      listener.close();
    }
  });

  test("the systemd-notify fallback delivers the same variables", async () => {
    if (Bun.which("systemd-notify") === null) {
      console.warn("Skipping: systemd-notify is not installed");
      return;
    }
    const listener = await startNotifyListener("path");
    try {
      viaSystemdNotify(listener.address, "STATUS=fallback");
      const messages = await listener.waitFor((m) => m.includes("STATUS=fallback"));
      expect(messages.join("\n")).toContain("STATUS=fallback");
    } finally {
      listener.close();
    }
  });

  test("an unhealthy scheduler gets no WATCHDOG=1, only a degraded STATUS, until it recovers", async () => {
    const listener = await startNotifyListener("path");
    try {
      const hooks = systemdRunnerHooks("test", { NOTIFY_SOCKET: listener.address, WATCHDOG_USEC: "2000000" });
      hooks.onHeartbeat?.(true, null);
      hooks.onReady?.();
      hooks.onHeartbeat?.(true, null);
      hooks.onHeartbeat?.(false, "the scheduler is stalled");
      hooks.onHeartbeat?.(false, "the scheduler is stalled");
      hooks.onHeartbeat?.(true, null);
      hooks.onStopping?.();
      hooks.onHeartbeat?.(true, null);
      const messages = await listener.waitFor((m) => m.startsWith("STOPPING=1"));
      expect(messages).toEqual([
        "READY=1\nSTATUS=Running program test",
        "WATCHDOG=1",
        "STATUS=Degraded: the scheduler is stalled",
        "WATCHDOG=1\nSTATUS=Running program test",
        "STOPPING=1\nSTATUS=Stopping: waiting for running tasks",
      ]);
    } finally {
      listener.close();
    }
  });
});

describe("the runner's systemd hooks", () => {
  test("add nothing without NOTIFY_SOCKET", () => {
    expect(systemdRunnerHooks("test", {})).toEqual({});
  });

  test("shorten the status period to half the watchdog, at most the 10 s default", () => {
    expect(systemdRunnerHooks("test", { NOTIFY_SOCKET: "/x", WATCHDOG_USEC: "60000000" }).statusIntervalMs).toBe(10_000);
    expect(systemdRunnerHooks("test", { NOTIFY_SOCKET: "/x", WATCHDOG_USEC: "12000000" }).statusIntervalMs).toBe(6000);
    expect(systemdRunnerHooks("test", { NOTIFY_SOCKET: "/x", WATCHDOG_USEC: "4000000" }).statusIntervalMs).toBe(2000);
    expect(systemdRunnerHooks("test", { NOTIFY_SOCKET: "/x" }).statusIntervalMs).toBeUndefined();
  });

  test("a watchdog meant for another process is ignored", () => {
    expect(watchdogMs({ WATCHDOG_USEC: "30000000", WATCHDOG_PID: String(process.pid + 1) })).toBeNull();
    expect(watchdogMs({ WATCHDOG_USEC: "30000000", WATCHDOG_PID: String(process.pid) })).toBe(30_000);
    expect(watchdogMs({})).toBeNull();
  });

  test("notify without NOTIFY_SOCKET sends nothing and says so", async () => {
    expect(notify("READY=1", {})).toBe(false);
  });
});
