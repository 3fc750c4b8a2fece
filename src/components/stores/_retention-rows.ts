/**
 * @module The retention query: saved recordings oldest first, each with whether it has a
 * detection and whether it is among the newest N saved recordings of one of its labels (a
 * window function over the distinct (recording, tag) pairs). Internal to the stores folder.
 */
import type { Database } from "bun:sqlite";
import { RECORDING_SELECT, toRecording, type RecordingRow } from "./_rows.ts";
import type { RetentionCandidate } from "./types.ts";
import type { PathRoots } from "./_paths.ts";

const CANDIDATES = `WITH saved AS (
    SELECT id, created_on FROM recordings WHERE state = 'saved' AND path IS NOT NULL
  ),
  labelled AS (
    SELECT DISTINCT m.recording_id, t.key, t.value, s.created_on
    FROM saved s JOIN model_outputs m ON m.recording_id = s.id
    JOIN detections d ON d.model_output_id = m.id JOIN predicted_tags t ON t.detection_id = d.id
  ),
  ranked AS (
    SELECT recording_id, ROW_NUMBER() OVER (PARTITION BY key, value ORDER BY created_on DESC, recording_id) AS rank FROM labelled
  )
  ${RECORDING_SELECT.replace("SELECT", "SELECT EXISTS (SELECT 1 FROM model_outputs m JOIN detections d ON d.model_output_id = m.id WHERE m.recording_id = r.id) AS has_detections,\n  EXISTS (SELECT 1 FROM ranked k WHERE k.recording_id = r.id AND k.rank <= ?) AS kept_for_label,\n  EXISTS (SELECT 1 FROM uploads u WHERE u.recording_id = r.id AND u.uploaded_on IS NOT NULL) AS uploaded,")}
  WHERE r.state = 'saved' AND r.path IS NOT NULL ORDER BY r.created_on, r.id`;

type CandidateRow = RecordingRow & { has_detections: number; kept_for_label: number; uploaded: number };

export function selectRetentionCandidates(db: Database, keepPerLabel: number, roots: PathRoots | undefined): RetentionCandidate[] {
  return db
    .query<CandidateRow, [number]>(CANDIDATES)
    .all(keepPerLabel)
    .map((row) => ({ recording: toRecording(row, roots), hasDetections: row.has_detections === 1, keptForLabel: row.kept_for_label === 1, uploaded: row.uploaded === 1 }));
}
