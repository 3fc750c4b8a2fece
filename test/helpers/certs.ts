/**
 * @module Test certificates made with the `openssl` command at test time: a throwaway CA, a
 * server certificate for 127.0.0.1 and localhost signed by it, and a client certificate. Keys
 * are P-256 so that making them is quick. Nothing is checked in, and each call makes a new CA, so
 * two calls give two CAs that do not trust each other (for "wrong CA" tests).
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface TestCerts {
  dir: string;
  caFile: string;
  caKeyFile: string;
  serverCertFile: string;
  serverKeyFile: string;
  clientCertFile: string;
  clientKeyFile: string;
}

function openssl(args: string[], cwd: string): void {
  const result = Bun.spawnSync(["openssl", ...args], { cwd, stdout: "pipe", stderr: "pipe" });
  if (result.exitCode !== 0) {
    throw new Error(`openssl ${args[0]} failed with exit code ${result.exitCode}: ${result.stderr.toString().trim()}`);
  }
}

const EC_KEY = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];

function signedCert(dir: string, name: string, subject: string, extensions: string): void {
  openssl(["req", "-new", ...EC_KEY, "-keyout", `${name}.key`, "-out", `${name}.csr`, "-subj", subject], dir);
  writeFileSync(join(dir, `${name}.ext`), extensions);
  openssl(
    ["x509", "-req", "-in", `${name}.csr`, "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
      "-out", `${name}.crt`, "-days", "2", "-sha256", "-extfile", `${name}.ext`],
    dir,
  );
}

/** Makes a CA, a server cert (CN and SAN 127.0.0.1, SAN localhost) and a client cert in `dir`. */
export function makeTestCerts(dir: string = mkdtempSync(join(tmpdir(), "acoupi-certs-"))): TestCerts {
  openssl(
    ["req", "-x509", ...EC_KEY, "-keyout", "ca.key", "-out", "ca.crt", "-days", "2", "-sha256",
      "-subj", "/CN=acoupi test CA",
      "-addext", "basicConstraints=critical,CA:TRUE",
      "-addext", "keyUsage=critical,keyCertSign,cRLSign"],
    dir,
  );
  signedCert(dir, "server", "/CN=127.0.0.1",
    "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\n" +
      "extendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.1,DNS:localhost\n");
  signedCert(dir, "client", "/CN=acoupi-test-client",
    "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth\n");
  return {
    dir,
    caFile: join(dir, "ca.crt"),
    caKeyFile: join(dir, "ca.key"),
    serverCertFile: join(dir, "server.crt"),
    serverKeyFile: join(dir, "server.key"),
    clientCertFile: join(dir, "client.crt"),
    clientKeyFile: join(dir, "client.key"),
  };
}
