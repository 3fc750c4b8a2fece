/**
 * @module The deployments as places: every deployment's name and coordinates (eBird locations in
 * exports), and the coordinates of the latest one (the range filter's default place for
 * `acoupi species`). Read-only.
 */
import type { Database } from "bun:sqlite";

export interface DeploymentPlace {
  id: string;
  name: string;
  latitude: number | null;
  longitude: number | null;
}

/** Every deployment's name and coordinates, by id. */
export function deploymentPlaces(db: Database): Map<string, DeploymentPlace> {
  const rows = db.query<DeploymentPlace, []>("SELECT id, name, latitude, longitude FROM deployments").all();
  return new Map(rows.map((r) => [r.id, r]));
}

/** The coordinates of the latest deployment, or null when there is none or it has none. */
export function latestDeploymentCoordinates(db: Database): { latitude: number; longitude: number } | null {
  const row = db.query<{ latitude: number | null; longitude: number | null }, []>("SELECT latitude, longitude FROM deployments ORDER BY started_on DESC LIMIT 1").get();
  return row?.latitude == null || row.longitude == null ? null : { latitude: row.latitude, longitude: row.longitude };
}
