/** @module `acoupi outbox [list|retry]`: what waits to be sent, and re-queuing what failed. */
import { defineCommand } from "citty";

export default defineCommand({
  meta: { name: "outbox", description: "List the messages waiting to be sent, or retry the failed ones" },
  default: "list",
  subCommands: {
    list: () => import("./list.ts").then((m) => m.default),
    retry: () => import("./retry.ts").then((m) => m.default),
  },
});
