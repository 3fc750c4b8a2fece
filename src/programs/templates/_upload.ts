/**
 * @module Wiring the optional `upload` section into a program built on the basic template: the
 * upload task on the default queue (its runs are long and asynchronous, and must not hold up
 * filing) and the uploader's status under `upload`. The uploader is loaded only when the section
 * is set. The outbox's database is snapshotted too when the program has one (`messaging.messages_db`).
 */
import type { SqliteStore } from "../../components/stores/sqlite-store.ts";
import { UPLOAD_TASK } from "../../tasks/names.ts";
import { S3Uploader } from "../../upload/uploader.ts";
import type { UploadConfig } from "../../upload/upload-config.ts";
import type { ProgramContext } from "../program-context.ts";
import { programSections } from "../program-sections.ts";

interface UploadWiringConfig {
  timezone: string;
  paths: { db_metadata: string };
}

export function wireUpload(ctx: ProgramContext, config: UploadWiringConfig, upload: UploadConfig, store: SqliteStore): S3Uploader {
  const uploader = new S3Uploader(upload, {
    store,
    deviceId: ctx.deps.deviceId,
    timezone: config.timezone,
    clock: ctx.deps.clock,
    logger: ctx.deps.logger.withTag(UPLOAD_TASK),
    databases: { metadata: config.paths.db_metadata, messages: programSections(config).messaging?.messages_db ?? null },
  });
  ctx.addTask(() => uploader.run(), { name: UPLOAD_TASK, schedule: { every: upload.interval } });
  ctx.use("upload", uploader);
  return uploader;
}
