import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { makeTempHome, REPO, runAcoupi } from "../../helpers/cli.ts";

// scripts/cloud-init.sh renders one sensor's first-boot user-data from a fleet template; here for
// three device ids. The rendered config is then set up for real (`acoupi setup --config`, as the
// first-boot script runs it), so the configs compared are the ones the sensors would record with.

const IDS = ["sensor-01", "sensor-02", "field.03"];
const KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIIYoR/STc9yB2zbYZgfDRkdt+1A3CY9aq2YY01x+s4I6";
const TEMPLATE = { recording: { duration: 5, interval: 10 }, messaging: { mqtt: { host: "10.0.0.2", client_id: "acoupi-@DEVICE_ID@" } } };

interface UserData {
  hostname: string;
  write_files: Array<{ path: string; permissions: string; content: string }>;
  runcmd: string[][];
}

let dir: string;

function render(id: string, extra: string[] = []): { code: number; stdout: string; stderr: string } {
  const proc = Bun.spawnSync(
    ["bash", join(REPO, "scripts/cloud-init.sh"), "--device-id", id, "--config", join(dir, "fleet.json"), "--program", "connected",
      "--release-url", "https://releases.example.org/acoupi/1.2.0", "--pubkey", KEY, "--name", "@DEVICE_ID@ spring", ...extra],
    { stdout: "pipe", stderr: "pipe" },
  );
  return { code: proc.exitCode ?? -1, stdout: proc.stdout.toString(), stderr: proc.stderr.toString() };
}

function file(data: UserData, path: string): string {
  const found = data.write_files.find((f) => f.path === path);
  if (found === undefined) throw new Error(`user-data writes no ${path}`);
  return found.content;
}

/** Dotted paths where two JSON trees differ. */
function differences(a: unknown, b: unknown, at = ""): string[] {
  if (typeof a === "object" && a !== null && typeof b === "object" && b !== null) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    return [...keys].flatMap((k) => differences((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], at ? `${at}.${k}` : k));
  }
  return a === b ? [] : [at];
}

describe("scripts/cloud-init.sh", () => {
  const rendered = new Map<string, { text: string; data: UserData }>();
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "acoupi-cloud-init-"));
    writeFileSync(join(dir, "fleet.json"), `${JSON.stringify(TEMPLATE, null, 2)}\n`);
    for (const id of IDS) {
      const result = render(id);
      expect(result.stderr).toBe("");
      expect(result.code).toBe(0);
      rendered.set(id, { text: result.stdout, data: Bun.YAML.parse(result.stdout) as UserData });
    }
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test("renders cloud-config user-data that writes the config and the first-boot script and runs it", () => {
    for (const id of IDS) {
      const { text, data } = rendered.get(id) as { text: string; data: UserData };
      expect(text.split("\n")[0]).toBe("#cloud-config");
      expect(data.hostname).toBe(id);
      expect(data.write_files.map((f) => [f.path, f.permissions])).toEqual([["/etc/acoupi/fleet.json", "0600"], ["/etc/acoupi/first-boot.sh", "0700"]]);
      expect(data.runcmd).toEqual([["/etc/acoupi/first-boot.sh"]]);
      const script = file(data, "/etc/acoupi/first-boot.sh");
      const syntax = Bun.spawnSync(["bash", "-n"], { stdin: new TextEncoder().encode(script), stderr: "pipe" });
      expect(syntax.exitCode, syntax.stderr.toString()).toBe(0);
      expect(script).toContain("ssh-keygen -Y verify -f allowed_signers -I acoupi-release -n acoupi-release -s SHA256SUMS.sig < SHA256SUMS");
      expect(script).toContain(`--no-prompt --device-id '${id}'`);
      expect(script).toContain(`acoupi start --name '${id} spring'`);
    }
  });

  test("the three user-data files are the same except for the device id", () => {
    const normalised = IDS.map((id) => (rendered.get(id)?.text ?? "").replaceAll(id, "<ID>"));
    expect(normalised[1]).toBe(normalised[0] as string);
    expect(normalised[2]).toBe(normalised[0] as string);
    expect(new Set(IDS.map((id) => rendered.get(id)?.text)).size).toBe(3);
  });

  test("set up as the first boot does, the three configs differ only in the key the template gave the device id", () => {
    const configs: unknown[] = [];
    for (const id of IDS) {
      const home = makeTempHome(`acoupi-cloud-init-${id}-`);
      try {
        const config = join(home.home, "fleet.json");
        writeFileSync(config, file(rendered.get(id)?.data as UserData, "/etc/acoupi/fleet.json"));
        const setup = runAcoupi(["setup", "--program", "connected", "--config", config, "--no-prompt", "--device-id", id], { ...home.env, ACOUPI_DEVICE_ID: "" });
        expect(setup.code, setup.stderr).toBe(0);
        expect(readFileSync(join(home.acoupiHome, "config/device_id"), "utf8").trim()).toBe(id);
        const written = readFileSync(join(home.acoupiHome, "config/program.json"), "utf8").replaceAll(home.acoupiHome, "$ACOUPI_HOME");
        configs.push(JSON.parse(written));
      } finally {
        home.cleanup();
      }
    }
    for (const [i, config] of configs.entries()) {
      expect((config as { recording: { duration: number } }).recording.duration).toBe(5);
      expect((config as { messaging: { mqtt: { client_id: string } } }).messaging.mqtt.client_id).toBe(`acoupi-${IDS[i]}`);
      if (i > 0) expect(differences(configs[0], config)).toEqual(["messaging.mqtt.client_id"]);
    }
  }, 120_000);

  test("refuses a device id that is not a plain name, and a missing release key, by name", () => {
    const bad = render("sensor 07; rm -rf /");
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('--device-id "sensor 07; rm -rf /" must be 1-63 letters');
    const proc = Bun.spawnSync(["bash", join(REPO, "scripts/cloud-init.sh"), "--device-id", "s1", "--config", join(dir, "fleet.json"), "--program", "default", "--release-url", "https://x.example/r"], { stderr: "pipe" });
    expect(proc.exitCode).toBe(1);
    expect(proc.stderr.toString()).toContain("--pubkey or --pubkey-file must give the release public key");
  });
});
