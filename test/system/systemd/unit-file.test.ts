import { afterAll, describe, expect, test } from "bun:test";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { environmentAssignment, execStart, renderUnit } from "../../../src/system/systemd/unit-file.ts";

const scratch = mkdtempSync(join(tmpdir(), "acoupi-unit-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** `systemd-analyze verify` parses the unit as systemd would and checks that ExecStart's binary exists. */
function verify(unitText: string): { code: number; output: string } {
  const file = join(scratch, `u${Math.random().toString(36).slice(2)}.service`);
  writeFileSync(file, unitText);
  const proc = Bun.spawnSync(["systemd-analyze", "verify", file], { stdout: "pipe", stderr: "pipe" });
  return { code: proc.exitCode ?? -1, output: proc.stdout.toString() + proc.stderr.toString() };
}

function fakeBinary(dir: string): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, "acoupi");
  writeFileSync(path, "#!/bin/sh\nexit 0\n");
  chmodSync(path, 0o755);
  return path;
}

describe("the acoupi.service unit", () => {
  test("a plain system unit runs the binary directly as a notify service with a watchdog", () => {
    const text = renderUnit({ command: ["/usr/local/bin/acoupi", "run"], acoupiHome: "/home/pi/.acoupi", scope: "system", user: "pi", version: "0.1.0" });
    expect(text).toContain("\nExecStart=/usr/local/bin/acoupi run\n");
    expect(text).toContain('\nEnvironment="ACOUPI_HOME=/home/pi/.acoupi"\n');
    for (const line of ["Type=notify", "NotifyAccess=main", "User=pi", "Restart=always", "RestartSec=5", "WatchdogSec=60", "TimeoutStopSec=30", "KillSignal=SIGTERM", "WantedBy=multi-user.target"]) {
      expect(text.split("\n")).toContain(line);
    }
    expect(text).not.toContain("/bin/sh");
  });

  test("a user unit has no User= and is wanted by default.target", () => {
    const text = renderUnit({ command: ["/opt/acoupi", "run"], acoupiHome: "/home/pi/.acoupi", scope: "user", version: "0.1.0" });
    expect(text).not.toContain("User=");
    expect(text).toContain("WantedBy=default.target");
  });

  test("hostile characters are escaped: %% for specifiers, $$ in arguments, quotes and backslashes", () => {
    expect(execStart(["/a b/bi%n$x", "run", "50%", "$HOME", 'say "hi"', "back\\slash", ";"])).toBe(
      '"/a b/bi%%n$x" run "50%%" "$$HOME" "say \\"hi\\"" "back\\\\slash" \\;',
    );
    expect(environmentAssignment("ACOUPI_HOME", '/h o/%u/$USER/"q"\\')).toBe('"ACOUPI_HOME=/h o/%%u/$USER/\\"q\\"\\\\"');
  });

  test("newlines, control characters and relative paths are refused", () => {
    expect(() => execStart(["/usr/bin/acoupi\nExecStartPre=/bin/rm", "run"])).toThrow("newline or control character");
    expect(() => environmentAssignment("ACOUPI_HOME", "/x\n[Service]")).toThrow("newline or control character");
    expect(() => execStart(["acoupi", "run"])).toThrow("must start with an absolute path");
    expect(() => execStart(['/opt/"acoupi"', "run"])).toThrow("contains a quote or a backslash");
    expect(() => execStart(["/opt/back\\slash/acoupi", "run"])).toThrow("contains a quote or a backslash");
    expect(() => renderUnit({ command: ["/a", "run"], acoupiHome: "relative", scope: "user", version: "0" })).toThrow("must be absolute");
    expect(() => renderUnit({ command: ["/a", "run"], acoupiHome: "/h", scope: "system", user: "pi\nUser=root", version: "0" })).toThrow("Invalid user name");
  });

  const analyze = Bun.which("systemd-analyze") ? test : test.skip;
  analyze("systemd itself parses a unit whose binary sits under a hostile path to that exact path", () => {
    const hostile = join(scratch, "dir with spaces %h 100% $HOME #;*?|&<{~!é");
    const binary = fakeBinary(hostile);
    const text = renderUnit({ command: [binary, "run"], acoupiHome: join(scratch, 'home %i $x "q" b\\s'), scope: "system", user: "root", version: "0.1.0" });
    const ok = verify(text);
    expect(ok.output).not.toContain("is not executable");
    expect(ok.code).toBe(0);
    // The control: the same path without escaping points systemd somewhere else.
    const naive = text.replace(/^ExecStart=.*$/m, `ExecStart="${binary}" run`);
    expect(verify(naive).output).toMatch(/is not executable|Failed to resolve|Invalid/);
  });
});
