/**
 * @module The records a program handles, the program API's `data`: building a deployment or a
 * message, a detection's bounding box, species labels, response statuses, and the schemas of the
 * records that flow between parts (Recording, ModelOutput, Detection). The JSON serialisers beside
 * them in this folder are acoupi's own and are not part of the API.
 */
export { isCheckReport } from "./check-report.ts";
export { createDeployment } from "./deployment.ts";
export { createMessage, ResponseStatus } from "./message.ts";
export { boundingBox, DetectionSchema, ModelOutputSchema } from "./model-output.ts";
export { RecordingSchema } from "./recording.ts";
export { parseSpeciesLabel, speciesDisplayName } from "./species-label.ts";
export type { CheckReport } from "./check-report.ts";
export type { ComponentStatus } from "./component-status.ts";
export type { Deployment } from "./deployment.ts";
export type { Message, Response } from "./message.ts";
export type { BoundingBox, Detection, ModelOutput, PredictedTag, Tag } from "./model-output.ts";
export type { Recording } from "./recording.ts";
export type { SpeciesLabel } from "./species-label.ts";
