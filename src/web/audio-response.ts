/**
 * @module Serving a WAV file to an `<audio>` element: the whole file, or the byte range the
 * browser asks for (206 Partial Content), which browsers use to read the duration and to seek.
 */

const RANGE_RE = /^bytes=(\d*)-(\d*)$/;

export function audioResponse(path: string, request: Request): Response {
  const file = Bun.file(path);
  const size = file.size;
  const headers = { "content-type": "audio/wav", "accept-ranges": "bytes", "cache-control": "private, max-age=3600" };
  const range = RANGE_RE.exec(request.headers.get("range") ?? "");
  if (range === null || (range[1] === "" && range[2] === "")) return new Response(file, { headers: { ...headers, "content-length": String(size) } });
  let start: number;
  let end: number;
  if (range[1] === "") {
    start = Math.max(0, size - Number(range[2]));
    end = size - 1;
  } else {
    start = Number(range[1]);
    end = range[2] === "" ? size - 1 : Math.min(size - 1, Number(range[2]));
  }
  if (start >= size || start > end) return new Response(null, { status: 416, headers: { ...headers, "content-range": `bytes */${size}` } });
  return new Response(file.slice(start, end + 1), {
    status: 206,
    headers: { ...headers, "content-range": `bytes ${start}-${end}/${size}`, "content-length": String(end - start + 1) },
  });
}
