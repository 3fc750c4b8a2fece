/** @module `acoupi web`: the local web page's commands (`url`). */
import { defineCommand } from "citty";

export default defineCommand({
  meta: { name: "web", description: "The sensor's local web page" },
  subCommands: {
    url: () => import("./url.ts").then((m) => m.default),
  },
});
