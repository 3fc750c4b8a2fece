import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { chmodSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { MAIN, makeTempHome, runAcoupi, type TempHome } from "../../../helpers/cli.ts";
import { execStart } from "../../../../src/system/systemd/unit-file.ts";

// This machine has no running systemd, so systemctl and loginctl are a script that records its
// arguments and keeps the unit's state in a file: the only fake, standing in for PID 1.
const FAKE_SYSTEMCTL = `#!/bin/sh
echo "systemctl $*" >> "$FAKE_SYSTEMD_LOG"
state="$FAKE_SYSTEMD_LOG.state"
case "$*" in
  *"enable --now"*) echo active > "$state" ;;
  *"disable --now"*) echo inactive > "$state" ;;
  *is-active*) s=$(cat "$state" 2>/dev/null || echo inactive); echo "$s"; [ "$s" = active ] ;;
  *is-enabled*) s=$(cat "$state" 2>/dev/null || echo inactive); if [ "$s" = active ]; then echo enabled; else echo disabled; exit 1; fi ;;
esac
`;
const FAKE_LOGINCTL = `#!/bin/sh
echo "loginctl $*" >> "$FAKE_SYSTEMD_LOG"
`;

describe("acoupi service and start/stop against a systemd stand-in", () => {
  let home: TempHome;
  let env: Record<string, string>;
  let unitDir: string;
  let log: string;
  const calls = () => (existsSync(log) ? readFileSync(log, "utf8").trim().split("\n") : []);
  const unit = () => readFileSync(join(unitDir, "acoupi.service"), "utf8");

  beforeAll(() => {
    home = makeTempHome();
    unitDir = join(home.home, "units");
    log = join(home.home, "systemd.log");
    for (const [name, text] of [["systemctl", FAKE_SYSTEMCTL], ["loginctl", FAKE_LOGINCTL]] as const) {
      writeFileSync(join(home.home, name), text);
      chmodSync(join(home.home, name), 0o755);
    }
    env = {
      ...home.env,
      ACOUPI_SYSTEMD: "1",
      ACOUPI_SYSTEMD_DIR: unitDir,
      ACOUPI_SYSTEMCTL: join(home.home, "systemctl"),
      ACOUPI_LOGINCTL: join(home.home, "loginctl"),
      FAKE_SYSTEMD_LOG: log,
      SUDO_USER: "",
    };
  });
  afterAll(() => home.cleanup());

  test("service status reports no unit before install", () => {
    const result = runAcoupi(["service", "status", "--json"], env);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ systemd: true, installed: null });
  });

  test("service install --system writes a unit that runs this acoupi with its home, then reloads systemd", () => {
    const result = runAcoupi(["service", "install", "--system"], env);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Installed ${join(unitDir, "acoupi.service")} (system unit)`);
    const text = unit();
    expect(text).toContain(`\nExecStart=${execStart([process.execPath, MAIN, "run"])}\n`);
    expect(text).toContain(`\nEnvironment="ACOUPI_HOME=${home.acoupiHome}"\n`);
    expect(text).toMatch(/\nUser=\S+\n/);
    expect(text).toContain("WantedBy=multi-user.target");
    expect(calls()).toEqual(["systemctl daemon-reload"]);
  });

  test("installing again changes nothing and does not reload", () => {
    const result = runAcoupi(["service", "install", "--system"], env);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("Already up to date");
    expect(calls()).toEqual(["systemctl daemon-reload"]);
  });

  test("start enables and starts the service instead of spawning a runner", () => {
    expect(runAcoupi(["setup", "--program", "test", "--no-prompt"], env).code).toBe(0);
    const start = runAcoupi(["start", "--name", "site-1", "--no-check"], env);
    expect(start.code).toBe(0);
    expect(start.stdout).toContain('Deployment "site-1" started by the system service acoupi.service');
    expect(calls()).toContain("systemctl enable --now acoupi.service");
    expect(existsSync(join(home.acoupiHome, "run/acoupi.pid"))).toBe(false);
    const status = JSON.parse(runAcoupi(["service", "status", "--json"], env).stdout);
    expect(status).toMatchObject({ installed: { scope: "system" }, active: "active", enabled: "enabled", current: true });
  });

  test("restart restarts the service and spawns no runner of its own", () => {
    const restart = runAcoupi(["restart"], env);
    expect(restart.code).toBe(0);
    expect(restart.stdout).toContain('Restarted the system service acoupi.service for deployment "site-1"');
    expect(calls().at(-1)).toBe("systemctl restart acoupi.service");
    expect(existsSync(join(home.acoupiHome, "run/acoupi.pid"))).toBe(false);
  });

  test("stop stops and disables the active service, then ends the deployment", () => {
    const stop = runAcoupi(["stop"], env);
    expect(stop.code).toBe(0);
    expect(stop.stdout).toContain("Stopped and disabled acoupi.service");
    expect(calls().at(-1)).toBe("systemctl disable --now acoupi.service");
    const deployment = JSON.parse(readFileSync(join(home.acoupiHome, "config/deployment.json"), "utf8"));
    expect(deployment.ended_on).toBeDefined();
  });

  test("uninstall disables the service, removes the unit and reloads", () => {
    const before = calls().length;
    const result = runAcoupi(["service", "uninstall"], env);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Removed ${join(unitDir, "acoupi.service")}`);
    expect(existsSync(join(unitDir, "acoupi.service"))).toBe(false);
    expect(calls().slice(before)).toEqual(["systemctl disable --now acoupi.service", "systemctl daemon-reload"]);
    expect(runAcoupi(["service", "uninstall"], env).stdout).toContain("No acoupi service is installed");
  });

  test("a user unit goes through systemctl --user and enables lingering so it starts at boot", () => {
    const before = calls().length;
    const result = runAcoupi(["service", "install", "--user"], env);
    expect(result.code).toBe(0);
    expect(unit()).not.toContain("User=");
    expect(unit()).toContain("WantedBy=default.target");
    const made = calls().slice(before);
    expect(made[0]).toBe("systemctl --user daemon-reload");
    expect(made[1]).toMatch(/^loginctl enable-linger \S+$/);
    expect(runAcoupi(["service", "uninstall"], env).code).toBe(0);
  });

  const asRoot = process.getuid?.() === 0 ? test : test.skip;
  asRoot("under sudo the system unit runs as the invoking user", () => {
    expect(runAcoupi(["service", "install", "--system"], { ...env, SUDO_USER: "nobody" }).code).toBe(0);
    expect(unit()).toContain("\nUser=nobody\n");
    expect(runAcoupi(["service", "uninstall"], env).code).toBe(0);
  });

  test("--system and --user together are refused", () => {
    const result = runAcoupi(["service", "install", "--system", "--user"], env);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("Both --system and --user were given");
  });
});
