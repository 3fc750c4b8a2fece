/**
 * @module The Silero VAD v5 model (MIT) that ships inside acoupi for the privacy filter, embedded
 * with `with { type: "file" }`: under `bun run` the import is the file in node_modules, in the
 * compiled binary a path in its embedded filesystem, which Bun.file (and so the ONNX session
 * loader) reads. Importing it loads nothing; the session opens on first use.
 */
import sileroPath from "@ricky0123/vad-web/dist/silero_vad_v5.onnx" with { type: "file" };

export const BUNDLED_SILERO_VAD: string = sileroPath;
