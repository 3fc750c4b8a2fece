/**
 * The `upload` section through the real CLI: off (null) by default, set with setup arguments,
 * its two keys masked by `config show` and written 0600, credentials in the endpoint URL masked,
 * and a bad value refused by its key.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { makeTempHome, runAcoupi, type TempHome } from "../../helpers/cli.ts";

let home: TempHome | null = null;
afterEach(() => {
  home?.cleanup();
  home = null;
});

const BASE = ["setup", "--program", "default", "--no-prompt", "--timezone", "UTC"];

describe("the upload section", () => {
  test("is off by default, and its keys are secrets: masked by config show, stored 0600, never printed", () => {
    home = makeTempHome();
    expect(runAcoupi(BASE, home.env).code).toBe(0);
    expect(runAcoupi(["config", "get", "upload"], home.env).stdout.trim()).toBe("null");
    const setup = runAcoupi(
      [...BASE, "--upload.endpoint", "https://admin:hunter2@s3.example.org", "--upload.bucket", "field-data", "--upload.access_key_id", "AKIAEXAMPLEKEY0001", "--upload.secret_access_key", "s3cr3t-value", "--upload.window_start", "01:00", "--upload.window_end", "05:00"],
      home.env,
    );
    expect(setup.code, setup.stderr).toBe(0);
    const show = runAcoupi(["config", "show"], home.env);
    const printed = setup.stdout + setup.stderr + show.stdout + show.stderr;
    for (const secret of ["AKIAEXAMPLEKEY0001", "s3cr3t-value", "hunter2"]) expect(printed).not.toContain(secret);
    expect(show.stdout).toContain("field-data");
    expect(show.stdout).toContain("01:00:00");
    const file = join(home.acoupiHome, "config/program.json");
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(file, "utf8")).upload.secret_access_key).toBe("s3cr3t-value");
  }, 60_000);

  test("a bad value is refused by its key, and nothing is written", () => {
    home = makeTempHome();
    expect(runAcoupi(BASE, home.env).code).toBe(0);
    const before = readFileSync(join(home.acoupiHome, "config/program.json"), "utf8");
    const bad = runAcoupi([...BASE, "--upload.endpoint", "not a url", "--upload.bucket", "b1x", "--upload.access_key_id", "k", "--upload.secret_access_key", "s"], home.env);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain("upload.endpoint");
    expect(readFileSync(join(home.acoupiHome, "config/program.json"), "utf8")).toBe(before);
  }, 60_000);
});
