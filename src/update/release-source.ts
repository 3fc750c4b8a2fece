/**
 * @module Where `self-update` reads a release from (a base URL, or a local folder such as a USB
 * stick) and the checks every file passes before it is used: SHA256SUMS must carry a good
 * `ssh-keygen -Y verify` signature from the release key (namespace acoupi-release), and each
 * file must match its line in it. Files are streamed to a scratch folder, never held whole.
 */
import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { UpdateError } from "../errors.ts";
import { RELEASE_KEY } from "../version.ts";

export const SIGNATURE_NAMESPACE = "acoupi-release";

export interface ReleaseSource {
  /** The URL or folder, for messages. */
  where: string;
  /** Copies release file `name` to `dest`; throws UpdateError naming it when it cannot. */
  fetchTo(name: string, dest: string): Promise<void>;
}

/** A base URL (http, https), a release folder, or a file in one (its folder is the release). */
export function releaseSource(spec: string): ReleaseSource {
  if (/^https?:\/\//.test(spec)) {
    const base = spec.replace(/\/+$/, "");
    return {
      where: base,
      async fetchTo(name, dest) {
        const url = `${base}/${name}`;
        let response: Response;
        try {
          response = await fetch(url, { redirect: "follow" });
        } catch (error) {
          throw new UpdateError(`Cannot download ${url}: ${error instanceof Error ? error.message : String(error)}`, { help: "Check the network and update.url (or ACOUPI_RELEASE_URL)" });
        }
        if (!response.ok) throw new UpdateError(`Cannot download ${url}: HTTP ${response.status}`, { help: "Check update.url (or ACOUPI_RELEASE_URL): it must name the folder that holds SHA256SUMS" });
        await writeOrExplain(dest, response);
      },
    };
  }
  const full = resolve(spec);
  if (!existsSync(full)) throw new UpdateError(`The release folder or file "${full}" does not exist`, { help: "Pass --from a URL, a folder holding the release files, or one of those files" });
  const folder = statSync(full).isDirectory() ? full : dirname(full);
  return {
    where: folder,
    async fetchTo(name, dest) {
      const file = join(folder, name);
      if (!existsSync(file)) throw new UpdateError(`The release file "${file}" is missing`, { help: "Copy every release file (acoupi-linux-*.xz, VERSION, SHA256SUMS, SHA256SUMS.sig) to that folder" });
      await writeOrExplain(dest, Bun.file(file));
    },
  };
}

async function writeOrExplain(dest: string, data: Response | ReturnType<typeof Bun.file>): Promise<void> {
  try {
    await (data instanceof Response ? Bun.write(dest, data) : Bun.write(dest, data));
  } catch (error) {
    throw new UpdateError(`Cannot write ${dest}: ${error instanceof Error ? error.message : String(error)}; the installed binary is unchanged`, {
      help: `Free some space in ${dirname(dest)} and try again`,
      cause: error,
    });
  }
}

/** The trusted release key: ACOUPI_RELEASE_PUBKEY, else the key built into this binary. */
export function releaseKey(env: NodeJS.ProcessEnv = process.env): string {
  const key = (env.ACOUPI_RELEASE_PUBKEY ?? "").trim() || RELEASE_KEY;
  if (!/^(ssh-|ecdsa-)\S+ \S+/.test(key)) {
    throw new UpdateError("No release public key: this acoupi was built without one and ACOUPI_RELEASE_PUBKEY is not set", {
      help: "Set ACOUPI_RELEASE_PUBKEY to the release key that docs/install.md lists",
    });
  }
  return key.split(/\s+/).slice(0, 2).join(" ");
}

export interface VerifiedRelease {
  where: string;
  /** Fetches `name` into the scratch folder and checks it against SHA256SUMS; returns its path. */
  fetchVerified(name: string): Promise<string>;
  names: string[];
}

function sha256File(path: string): string {
  return new Bun.CryptoHasher("sha256").update(readFileSync(path)).digest("hex");
}

/** Fetches SHA256SUMS and its signature into `scratch` and verifies them; throws UpdateError on any doubt. */
export async function verifiedRelease(source: ReleaseSource, scratch: string, key: string): Promise<VerifiedRelease> {
  const sums = join(scratch, "SHA256SUMS");
  await source.fetchTo("SHA256SUMS", sums);
  await source.fetchTo("SHA256SUMS.sig", `${sums}.sig`);
  const allowed = join(scratch, "allowed_signers");
  writeFileSync(allowed, `${SIGNATURE_NAMESPACE} ${key}\n`);
  const verify = Bun.spawnSync(["ssh-keygen", "-Y", "verify", "-f", allowed, "-I", SIGNATURE_NAMESPACE, "-n", SIGNATURE_NAMESPACE, "-s", `${sums}.sig`], {
    stdin: Bun.file(sums),
    stdout: "pipe",
    stderr: "pipe",
  });
  if (verify.exitCode !== 0) {
    throw new UpdateError(`The signature of SHA256SUMS from ${source.where} does not verify with the acoupi release key: these files are not an acoupi release (or were altered)`, {
      help: "Nothing was changed; check update.url, or ACOUPI_RELEASE_PUBKEY if you publish your own releases",
    });
  }
  const expected = new Map<string, string>();
  for (const line of readFileSync(sums, "utf8").split("\n")) {
    const match = /^([0-9a-f]{64}) [ *]?(\S+)$/.exec(line.trim());
    if (match) expected.set(match[2] as string, match[1] as string);
  }
  return {
    where: source.where,
    names: [...expected.keys()],
    async fetchVerified(name) {
      const want = expected.get(name);
      if (want === undefined) throw new UpdateError(`The release at ${source.where} has no ${name} (SHA256SUMS does not list it)`, { help: "This release has no build for this machine" });
      const dest = join(scratch, basename(name));
      await source.fetchTo(name, dest);
      if (sha256File(dest) !== want) {
        throw new UpdateError(`${name} from ${source.where} does not match its checksum in SHA256SUMS (tampered or truncated download)`, {
          help: "Nothing was changed; try again, or copy the release files anew",
        });
      }
      return dest;
    },
  };
}
