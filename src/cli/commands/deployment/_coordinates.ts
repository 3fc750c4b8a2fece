/** @module A coordinate given on the command line or typed at a prompt, checked against its range. */
import { DeploymentError } from "../../../errors.ts";

export function parseCoordinate(raw: string | undefined, name: string, limit: number): number | null {
  if (raw === undefined || raw === "") return null;
  const value = Number(raw);
  if (!Number.isFinite(value) || Math.abs(value) > limit) {
    throw new DeploymentError(`Invalid --${name} "${raw}": expected a number between -${limit} and ${limit}`);
  }
  return value;
}
