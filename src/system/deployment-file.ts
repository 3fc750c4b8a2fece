/**
 * @module The active deployment in `config/deployment.json`, as acoupi writes it (`ended_on`
 * appears once it is stopped). Another process learns whether a deployment is active from this
 * file alone.
 */
import { existsSync } from "node:fs";
import { DeploymentSchema, stringifyAcoupi, deploymentTree, type Deployment } from "../data/index.ts";
import { DeploymentError } from "../errors.ts";
import { readJsonFile } from "./json-file.ts";
import { writeFileAtomic } from "./atomic-write.ts";
import type { AcoupiPaths } from "./paths.ts";

export function readDeployment(paths: AcoupiPaths): Deployment | null {
  if (!existsSync(paths.deploymentJson)) return null;
  const result = DeploymentSchema.safeParse(readJsonFile(paths.deploymentJson));
  if (!result.success) {
    throw new DeploymentError(`${paths.deploymentJson} is not a valid deployment: ${result.error.issues[0]?.message ?? "invalid"}`, {
      help: "Run `acoupi stop` and `acoupi start` to write a new one",
    });
  }
  return result.data;
}

/** The active deployment, or null when none was started or the last one has ended. */
export function activeDeployment(paths: AcoupiPaths): Deployment | null {
  const deployment = readDeployment(paths);
  return deployment && deployment.ended_on === null ? deployment : null;
}

export function writeDeployment(paths: AcoupiPaths, deployment: Deployment): void {
  const tree = deploymentTree(deployment) as Record<string, unknown>;
  if (deployment.ended_on === null) delete tree.ended_on;
  writeFileAtomic(paths.deploymentJson, `${stringifyAcoupi(tree as never)}\n`, 0o644);
}
