/**
 * @module Templates, the program API's `templates`: functions that register tasks on a program's
 * context, composed in order (basic → messaging({ basic }) → detection({ basic, messaging }), or
 * `detectionProgram` for the whole stack), and the config schemas a program composes from them.
 * The `_`-prefixed files beside this are their internals.
 */
export { AudioConfigSchema, BasicConfigSchema, PathsConfigSchema, basicTemplate as basic } from "./basic.ts";
export { DetectionProgramConfigSchema, detectionProgramTemplate as detectionProgram } from "./detection-program.ts";
export { DetectionConfigSchema, detectionTemplate as detection } from "./detection.ts";
export { MessagingConfigSchema, messagingTemplate as messaging } from "./messaging.ts";
export type { BasicConfig, BasicTemplate, BasicTemplateOptions } from "./basic.ts";
export type { DetectionProgram, DetectionProgramConfig, DetectionProgramOptions } from "./detection-program.ts";
export type { DetectionConfig, DetectionTemplate, DetectionTemplateOptions } from "./detection.ts";
export type { MessagingConfig, MessagingTemplate, MessagingTemplateOptions } from "./messaging.ts";
