/** @module `acoupi service install|uninstall|status`: the systemd unit that runs acoupi at boot. */
import { defineCommand } from "citty";

export default defineCommand({
  meta: { name: "service", description: "Install, remove or inspect the systemd service" },
  subCommands: {
    install: () => import("./install.ts").then((m) => m.default),
    uninstall: () => import("./uninstall.ts").then((m) => m.default),
    status: () => import("./status.ts").then((m) => m.default),
  },
});
