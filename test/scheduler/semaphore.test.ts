import { describe, expect, test } from "bun:test";
import { Semaphore } from "../../src/scheduler/semaphore.ts";

describe("Semaphore", () => {
  test("a semaphore of one grants one holder and serves waiters first in, first out", async () => {
    const sem = new Semaphore(1);
    const order: string[] = [];
    const first = await sem.acquire();
    const b = sem.acquire().then((release) => {
      order.push("b");
      return release;
    });
    const c = sem.acquire().then((release) => {
      order.push("c");
      release();
    });
    expect(sem.active).toBe(1);
    expect(sem.waiting).toBe(2);
    first();
    const releaseB = await b;
    expect(order).toEqual(["b"]);
    releaseB();
    await c;
    expect(order).toEqual(["b", "c"]);
    expect(sem.active).toBe(0);
    expect(sem.waiting).toBe(0);
  });

  test("an unbounded semaphore never makes anyone wait", async () => {
    const sem = new Semaphore(null);
    const releases = await Promise.all(Array.from({ length: 50 }, () => sem.acquire()));
    expect(sem.active).toBe(50);
    expect(sem.waiting).toBe(0);
    for (const release of releases) release();
    expect(sem.active).toBe(0);
  });

  test("releasing twice frees only one slot", async () => {
    const sem = new Semaphore(2);
    const a = await sem.acquire();
    await sem.acquire();
    a();
    a();
    expect(sem.active).toBe(1);
  });

  test("an aborted waiter is withdrawn and rejects with the abort reason", async () => {
    const sem = new Semaphore(1);
    const held = await sem.acquire();
    const controller = new AbortController();
    const waiter = sem.acquire(controller.signal);
    expect(sem.waiting).toBe(1);
    controller.abort(new Error("stopping"));
    await expect(waiter).rejects.toThrow("stopping");
    expect(sem.waiting).toBe(0);
    held();
    expect(sem.active).toBe(0);
    await expect(sem.acquire(controller.signal)).rejects.toThrow("stopping");
  });

  test("a limit that is not a positive integer is refused", () => {
    expect(() => new Semaphore(0)).toThrow("positive integer or null");
    expect(() => new Semaphore(1.5)).toThrow("positive integer or null");
  });
});
