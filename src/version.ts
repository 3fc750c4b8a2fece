/**
 * @module The version and git commit. build.ts stamps the commit with `--define`; running from
 * source reports "source".
 */
import pkg from "../package.json" with { type: "json" };

declare const ACOUPI_BUILD_COMMIT: string | undefined;

export const VERSION: string = pkg.version;
export const COMMIT: string = typeof ACOUPI_BUILD_COMMIT === "string" ? ACOUPI_BUILD_COMMIT : "source";
