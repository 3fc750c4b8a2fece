/** @module `acoupi deployment start|stop|restart|status|set` (also available as `acoupi start|stop|restart|status`). */
import { defineCommand } from "citty";

export default defineCommand({
  meta: { name: "deployment", description: "Start, stop or inspect the deployment" },
  subCommands: {
    start: () => import("./start.ts").then((m) => m.default),
    stop: () => import("./stop.ts").then((m) => m.default),
    restart: () => import("./restart.ts").then((m) => m.default),
    status: () => import("./status.ts").then((m) => m.default),
    set: () => import("./set.ts").then((m) => m.default),
  },
});
