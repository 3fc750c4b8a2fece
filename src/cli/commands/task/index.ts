/** @module `acoupi task list|run`: inspect and run the program's tasks in-process. */
import { defineCommand } from "citty";

export default defineCommand({
  meta: { name: "task", description: "List the program's tasks or run one now" },
  subCommands: {
    list: () => import("./list.ts").then((m) => m.default),
    run: () => import("./run.ts").then((m) => m.default),
  },
});
