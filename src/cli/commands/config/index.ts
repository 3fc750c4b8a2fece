/** @module `acoupi config show|get|set|diff|schema`: read and edit the program configuration. */
import { defineCommand } from "citty";

export default defineCommand({
  meta: { name: "config", description: "Show, read or change the program configuration" },
  subCommands: {
    show: () => import("./show.ts").then((m) => m.default),
    get: () => import("./get.ts").then((m) => m.default),
    set: () => import("./set.ts").then((m) => m.default),
    diff: () => import("./diff.ts").then((m) => m.default),
    schema: () => import("./schema.ts").then((m) => m.default),
  },
});
