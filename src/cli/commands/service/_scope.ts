/** @module The `--system` / `--user` flags that pick the unit's scope (default: system as root, else user). */
import { ServiceError, type ServiceScope } from "../../../system/systemd/service.ts";

export const SCOPE_ARGS = {
  system: { type: "boolean", description: "System-wide unit in /etc/systemd/system (default as root)" },
  user: { type: "boolean", description: "User unit plus `loginctl enable-linger` (default without root)" },
} as const;

export function scopeFrom(args: { system?: boolean; user?: boolean }): ServiceScope | undefined {
  if (args.system && args.user) throw new ServiceError("Both --system and --user were given", { help: "Choose one of --system and --user" });
  return args.system ? "system" : args.user ? "user" : undefined;
}
