/**
 * @module A real unix datagram socket for the sd_notify tests, bound by python3 (an
 * implementation independent of ours): each datagram it receives comes back as one JSON string.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const LISTENER = `
import json, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
address = sys.argv[1]
s.bind("\\0" + address[1:] if address.startswith("@") else address)
print(json.dumps("LISTENING"), flush=True)
while True:
    print(json.dumps(s.recv(65536).decode()), flush=True)
`;

export interface NotifyListener {
  address: string;
  messages: string[];
  /** Resolves with the messages once one satisfies `predicate`; rejects after `timeoutMs`. */
  waitFor(predicate: (message: string) => boolean, timeoutMs?: number): Promise<string[]>;
  close(): void;
}

export function python3Available(): boolean {
  return Bun.which("python3") !== null;
}

export async function startNotifyListener(kind: "path" | "abstract"): Promise<NotifyListener> {
  const dir = mkdtempSync(join(tmpdir(), "acoupi-notify-"));
  const address = kind === "path" ? join(dir, "notify.sock") : `@acoupi-test-${process.pid}-${Math.random().toString(36).slice(2)}`;
  const proc = Bun.spawn(["python3", "-c", LISTENER, address], { stdout: "pipe", stderr: "inherit" });
  const messages: string[] = [];
  let listening: () => void = () => {};
  const ready = new Promise<void>((resolve) => (listening = resolve));
  void (async () => {
    let buffered = "";
    for await (const chunk of proc.stdout) {
      buffered += new TextDecoder().decode(chunk);
      let newline = buffered.indexOf("\n");
      while (newline >= 0) {
        const message = JSON.parse(buffered.slice(0, newline)) as string;
        buffered = buffered.slice(newline + 1);
        if (message === "LISTENING") listening();
        else messages.push(message);
        newline = buffered.indexOf("\n");
      }
    }
  })();
  await ready;
  return {
    address,
    messages,
    async waitFor(predicate, timeoutMs = 20_000) {
      for (let waited = 0; waited < timeoutMs; waited += 20) {
        if (messages.some(predicate)) return [...messages];
        await Bun.sleep(20);
      }
      throw new Error(`No notification matched within ${timeoutMs} ms; got ${JSON.stringify(messages)}`);
    },
    close() {
      proc.kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
