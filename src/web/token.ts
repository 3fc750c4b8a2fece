/**
 * @module The web page's access token and where the running server can be reached. The token is
 * the configured `web.token`, or else the one in `config/web-token` (mode 0600), generated on
 * first use: when the runner first serves the page or `acoupi web url` is first run. The runner
 * writes the bound address to `run/web.json` (the port may have been chosen by the system), so
 * `acoupi web url` in another process prints the real URL.
 */
import { existsSync, readFileSync, rmSync } from "node:fs";
import { networkInterfaces } from "node:os";
import { join } from "node:path";
import { readJsonFile } from "../system/json-file.ts";
import { writeFileAtomic } from "../system/atomic-write.ts";
import type { AcoupiPaths } from "../system/paths.ts";
import type { WebConfig } from "../programs/templates/web-config.ts";

export function tokenFile(paths: AcoupiPaths): string {
  return join(paths.configDir, "web-token");
}

export function endpointFile(paths: AcoupiPaths): string {
  return join(paths.runDir, "web.json");
}

/** The token, creating `config/web-token` when there is neither a configured nor a stored one. */
export function ensureWebToken(paths: AcoupiPaths, config: WebConfig): string {
  if (config.token !== "") return config.token;
  const file = tokenFile(paths);
  if (existsSync(file)) {
    const stored = readFileSync(file, "utf8").trim();
    if (stored !== "") return stored;
  }
  const token = Buffer.from(crypto.getRandomValues(new Uint8Array(24))).toString("base64url");
  writeFileAtomic(file, `${token}\n`, 0o600);
  return token;
}

/** Whether `host` binds to this machine only (127.0.0.0/8, ::1, localhost). */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, "").toLowerCase();
  return h === "localhost" || h === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

export interface WebEndpoint {
  host: string;
  port: number;
  pid: number;
}

export function writeEndpoint(paths: AcoupiPaths, endpoint: WebEndpoint): void {
  writeFileAtomic(endpointFile(paths), `${JSON.stringify(endpoint)}\n`);
}

export function removeEndpoint(paths: AcoupiPaths): void {
  rmSync(endpointFile(paths), { force: true });
}

export function readEndpoint(paths: AcoupiPaths): WebEndpoint | null {
  const file = endpointFile(paths);
  return existsSync(file) ? (readJsonFile(file) as WebEndpoint) : null;
}

/** The address a browser should use: the bound one, or this machine's first LAN address for a wildcard bind. */
export function browsableHost(host: string): string {
  if (host !== "0.0.0.0" && host !== "::") return host.includes(":") ? `[${host}]` : host;
  for (const addresses of Object.values(networkInterfaces())) {
    for (const a of addresses ?? []) if (a.family === "IPv4" && !a.internal) return a.address;
  }
  return "127.0.0.1";
}

/** The page's URL, with the token when the bind is not loopback-only (or when `withToken`: the page then may set verdicts). */
export function webUrl(host: string, port: number, token: string, withToken = false): string {
  const base = `http://${browsableHost(host)}:${port}/`;
  return isLoopbackHost(host) && !withToken ? base : `${base}?token=${encodeURIComponent(token)}`;
}
