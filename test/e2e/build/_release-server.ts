/**
 * @module A loopback HTTP server (real Bun.serve) that publishes release folders, as a release
 * host would: `http://127.0.0.1:<port>/<name>/<file>` serves `<folder>/<file>` of the folder
 * published under `<name>`. It counts the requests per path, so a test can see what was fetched.
 */
import { existsSync, statSync } from "node:fs";
import { join } from "node:path";

export interface ReleaseServer {
  /** The base URL of the folder published as `name` (what ACOUPI_RELEASE_URL is set to). */
  url(name: string): string;
  publish(name: string, folder: string): void;
  requests: string[];
  stop(): Promise<void>;
}

export function startReleaseServer(): ReleaseServer {
  const folders = new Map<string, string>();
  const requests: string[] = [];
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch(request) {
      const path = new URL(request.url).pathname;
      requests.push(path);
      const [, name = "", file = "", ...rest] = path.split("/");
      const folder = folders.get(name);
      if (folder === undefined || file === "" || rest.length > 0 || file.startsWith(".")) return new Response("not found", { status: 404 });
      const full = join(folder, file);
      if (!existsSync(full) || !statSync(full).isFile()) return new Response("not found", { status: 404 });
      return new Response(Bun.file(full));
    },
  });
  return {
    url: (name) => `http://127.0.0.1:${server.port}/${name}`,
    publish: (name, folder) => void folders.set(name, folder),
    requests,
    stop: async () => {
      await server.stop(true);
    },
  };
}
