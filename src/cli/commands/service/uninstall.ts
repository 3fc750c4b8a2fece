/** @module `acoupi service uninstall`: stops and disables the service and deletes its unit file. */
import { defineCommand } from "citty";
import { uninstallService } from "../../../system/systemd/service.ts";

export default defineCommand({
  meta: { name: "uninstall", description: "Stop and disable the systemd service and remove its unit file" },
  run() {
    const removed = uninstallService();
    process.stdout.write(removed === null ? "No acoupi service is installed\n" : `Removed ${removed}\n`);
  },
});
