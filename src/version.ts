/**
 * @module The version, the git commit and the release signing key. build.ts stamps the commit
 * with `--define`, and for a release (scripts/release.sh) the version from the tag and the
 * public key that signs SHA256SUMS; running from source reports "source", package.json's
 * version and no key.
 */
import pkg from "../package.json" with { type: "json" };

declare const ACOUPI_BUILD_COMMIT: string | undefined;
declare const ACOUPI_BUILD_VERSION: string | undefined;
declare const ACOUPI_BUILD_RELEASE_KEY: string | undefined;

export const VERSION: string = typeof ACOUPI_BUILD_VERSION === "string" && ACOUPI_BUILD_VERSION !== "" ? ACOUPI_BUILD_VERSION : pkg.version;
/** The release public key (an OpenSSH public key line) built in, or "" when the build had none. */
export const RELEASE_KEY: string = typeof ACOUPI_BUILD_RELEASE_KEY === "string" ? ACOUPI_BUILD_RELEASE_KEY : "";
export const COMMIT: string = typeof ACOUPI_BUILD_COMMIT === "string" ? ACOUPI_BUILD_COMMIT : "source";
