import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { VERSION } from "../../../src/version.ts";
import { makeTestCerts } from "../../helpers/certs.ts";
import { makeTempHome, type TempHome } from "../../helpers/cli.ts";
import { startWsBroker } from "../../helpers/ws-broker.ts";
import { python3Available, startNotifyListener } from "../../helpers/notify-listener.ts";
import { buildBinary, lastJsonLine, runBinary, runner, stampsVersionAndCommit } from "../../helpers/binaries.ts";

const EXTERNAL_PROGRAM = `export default (api) => api.defineProgram({
  name: "ext",
  configSchema: api.z.object({ greeting: api.z.string().default("hi") }),
  setup(config, ctx) {
    ctx.addTask(function hello_task() { return { greeting: config.greeting }; }, { schedule: { every: 60 } });
  },
});
`;

describe("the compiled x64 binary", () => {
  let binary: string;
  let home: TempHome;
  let run: (args: string[], env?: Record<string, string>) => ReturnType<typeof runBinary>;
  beforeAll(() => {
    binary = buildBinary("x64");
    home = makeTempHome("acoupi-x64-");
    run = (args, env = {}) => runBinary(runner(binary), args, { ...home.env, ACOUPI_SYSTEMD: "0", ...env }, home.home);
  }, 120_000);
  afterAll(() => home.cleanup());

  test("--version shows the package version and the commit it was built from", () => {
    const result = run(["--version"]);
    expect(result.code).toBe(0);
    expect(stampsVersionAndCommit(result.stdout, VERSION)).toBe(true);
  });

  test("loads an external program file at run time and runs its task", () => {
    const programFile = join(home.home, "my-program.ts");
    writeFileSync(programFile, EXTERNAL_PROGRAM);
    const setup = run(["setup", "--program", programFile, "--no-prompt"]);
    expect(setup.code).toBe(0);
    expect(readFileSync(join(home.acoupiHome, "config/name"), "utf8").trim()).toBe(programFile);
    const task = run(["task", "run", "hello_task"]);
    expect(task.code).toBe(0);
    expect(lastJsonLine(task.stdout)).toEqual({ greeting: "hi" });
    expect(run(["config", "set", "greeting", "hello"]).code).toBe(0);
    expect(lastJsonLine(run(["task", "run", "hello_task"]).stdout)).toEqual({ greeting: "hello" });
  });

  test("sends a heartbeat over MQTT on a TLS websocket (wss) to a real broker, verified against its CA", async () => {
    const certs = makeTestCerts();
    const broker = await startWsBroker({ path: "/mqtt", tls: { certFile: certs.serverCertFile, keyFile: certs.serverKeyFile } });
    const wsHome = makeTempHome("acoupi-x64-wss-");
    try {
      const env = { ...wsHome.env, ACOUPI_SYSTEMD: "0" };
      const setup = runBinary(runner(binary), [
        "setup", "--program", "connected", "--no-prompt", "--messaging.mqtt.host", "127.0.0.1", "--messaging.mqtt.port", String(broker.port),
        "--messaging.mqtt.transport", "wss", "--messaging.mqtt.ca_file", certs.caFile,
      ], env, wsHome.home);
      expect(setup.code).toBe(0);
      expect(runBinary(runner(binary), ["task", "run", "heartbeat_task"], env, wsHome.home).code).toBe(0);
      const send = runBinary(runner(binary), ["task", "run", "send_messages_task"], env, wsHome.home);
      expect(send.code).toBe(0);
      expect(lastJsonLine(send.stdout)).toMatchObject({ selected: 1, delivered: 1, failed: 0 });
      const [got] = broker.accepted();
      expect(got?.topic).toBe("acoupi/test-device-0001");
      expect(JSON.parse(got?.payload ?? "{}")).toMatchObject({ device_id: "test-device-0001", status: "OK" });
    } finally {
      await broker.cleanup();
      wsHome.cleanup();
      rmSync(certs.dir, { recursive: true, force: true });
    }
  }, 60_000);

  test("service install points ExecStart at the binary itself, not at bun", () => {
    const unitDir = join(home.home, "units");
    const result = run(["service", "install", "--system"], { ACOUPI_SYSTEMD_DIR: unitDir, ACOUPI_SYSTEMCTL: "/bin/true", SUDO_USER: "" });
    expect(result.code).toBe(0);
    const unit = readFileSync(join(unitDir, "acoupi.service"), "utf8");
    expect(unit).toContain(`\nExecStart=${binary} run\n`);
  });

  const withPython = python3Available() ? test : test.skip;
  withPython("the compiled runner notifies systemd through bun:ffi", async () => {
    const listener = await startNotifyListener("path");
    try {
      const env = { NOTIFY_SOCKET: listener.address, WATCHDOG_USEC: "1000000" };
      expect(run(["start", "--name", "compiled", "--no-check"], env).code).toBe(0);
      const messages = await listener.waitFor((m) => m.includes("WATCHDOG=1"));
      expect(messages[0]).toBe("READY=1\nSTATUS=Running program ext");
      expect(run(["stop"], env).code).toBe(0);
      await listener.waitFor((m) => m.startsWith("STOPPING=1"));
    } finally {
      listener.close();
    }
  }, 60_000);
});
