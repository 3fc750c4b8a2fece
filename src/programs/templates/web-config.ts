/**
 * @module The `web` config section of the basic template: the sensor's own read-only web page,
 * served by the runner. The program owns this schema; src/web/ only takes the parsed section.
 * Off by default; on, it binds to the loopback address unless told otherwise, and any other
 * bind needs the token (the configured one, or one generated into `config/web-token` on first
 * use, see src/web/token.ts). Requests must name the sensor in their Host header: the bind's own
 * names, or one of `allowed_hosts` (see src/web/request-guard.ts). None of its fields is prompted
 * for during setup.
 */
import { z } from "zod";
import { noPrompt, secret } from "../../config/markers.ts";

export const WebConfigSchema = z.object({
  enabled: noPrompt(z.boolean().default(false).describe("Serve the local web page and /metrics from the runner")),
  host: noPrompt(z.string().min(1).default("127.0.0.1").describe("Address to bind: 127.0.0.1 for this machine only, 0.0.0.0 for the LAN (needs the token)")),
  port: noPrompt(z.number().int().min(0).max(65535).default(8080).describe("TCP port of the web page (0: any free port)")),
  allowed_hosts: noPrompt(
    z
      .array(z.string().min(1).max(253).regex(/^[A-Za-z0-9._:[\]-]+$/, "a host name or address, without a port"))
      .max(64)
      .default([])
      .describe("More host names the page answers to (a DNS name for the sensor); the bind's own names are always allowed"),
  ),
  token: noPrompt(secret(z.string().default("").describe("Access token for non-loopback binds; empty: generated into config/web-token"))),
});
export type WebConfig = z.output<typeof WebConfigSchema>;
