/**
 * @module The web server started in-process for tests: the default program's config over the
 * fixture database in a temp home (see fixture-db.ts), on a run-time port, with the given host and
 * extra `web` keys. Spectrograms it renders run `acoupi` from source as a child process.
 */
import { afterAll, beforeAll } from "bun:test";
import { join } from "node:path";
import { BasicConfigSchema } from "../../src/programs/templates/basic.ts";
import { WebConfigSchema } from "../../src/programs/templates/web-config.ts";
import { logger } from "../../src/log.ts";
import { acoupiPaths } from "../../src/system/paths.ts";
import { startWebServer, type WebServer } from "../../src/web/server.ts";
import { MAIN, makeTempHome, type TempHome } from "./cli.ts";
import { writeFixtureDb } from "./fixture-db.ts";

/** Starts the page over `home.home/metadata.db` (written by writeFixtureDb), bound to `host`. */
export function startFixtureWebServer(home: TempHome, host: string, extra: Record<string, unknown> = {}): WebServer {
  const fixture = join(home.home, "metadata.db");
  const programConfig = BasicConfigSchema.parse({ paths: { db_metadata: fixture, recordings: home.home, tmp_audio: home.home }, web: { enabled: true, host, port: 0, ...extra } });
  return startWebServer({
    config: WebConfigSchema.parse({ enabled: true, host, port: 0, ...extra }),
    paths: acoupiPaths(home.acoupiHome),
    programName: "default",
    configSchema: BasicConfigSchema,
    programConfig,
    logger: logger("web-test"),
    acoupiCommand: [process.execPath, MAIN],
  });
}

/**
 * In the calling describe block: a temp home holding the fixture database, made active as
 * ACOUPI_HOME (buildStatus reads the status of this home) before the tests and put back after.
 */
export function useFixtureHome(onMade: (home: TempHome) => void): void {
  let home: TempHome | undefined;
  const previousHome = process.env.ACOUPI_HOME;
  beforeAll(() => {
    home = makeTempHome("acoupi-web-");
    process.env.ACOUPI_HOME = home.acoupiHome;
    writeFixtureDb(home.home);
    onMade(home);
  });
  afterAll(() => {
    if (previousHome === undefined) delete process.env.ACOUPI_HOME;
    else process.env.ACOUPI_HOME = previousHome;
    home?.cleanup();
  });
}
