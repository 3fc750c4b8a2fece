/**
 * @module The `web` config section: the sensor's own read-only web page, served by the runner.
 * Off by default; on, it binds to the loopback address unless told otherwise, and any other
 * bind needs the token (the configured one, or one generated into `config/web-token` on first
 * use, see token.ts). None of its fields is prompted for during setup.
 */
import { z } from "zod";
import { noPrompt, secret } from "../config/markers.ts";

export const WebConfigSchema = z.object({
  enabled: noPrompt(z.boolean().default(false).describe("Serve the local web page and /metrics from the runner")),
  host: noPrompt(z.string().min(1).default("127.0.0.1").describe("Address to bind: 127.0.0.1 for this machine only, 0.0.0.0 for the LAN (needs the token)")),
  port: noPrompt(z.number().int().min(0).max(65535).default(8080).describe("TCP port of the web page (0: any free port)")),
  token: noPrompt(secret(z.string().default("").describe("Access token for non-loopback binds; empty: generated into config/web-token"))),
});
export type WebConfig = z.output<typeof WebConfigSchema>;
