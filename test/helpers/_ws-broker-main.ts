/**
 * @module The websocket MQTT broker process that test/helpers/ws-broker.ts starts: aedes (a real
 * MQTT broker from npm) behind Bun.serve's websocket server on 127.0.0.1, with plain ws or TLS
 * (wss), one URL path, optional users, and a log of every publish it accepts. Each line of the
 * log (`ACOUPI_WS_LOG`) is written before the broker acknowledges the publish, so a test reads
 * what the backend received even after the broker was killed mid-run.
 */
import { Aedes, type AuthenticateError } from "aedes";
import { appendFileSync, readFileSync } from "node:fs";
import { Duplex } from "node:stream";
import type { ServerWebSocket } from "bun";

interface Settings {
  port: number;
  path: string;
  users: Record<string, string> | null;
  tls: { certFile: string; keyFile: string } | null;
  log: string;
}

const settings = JSON.parse(process.env.ACOUPI_WS_BROKER ?? "{}") as Settings;
const broker = await Aedes.createBroker({
  authenticate(_client, username, password, done) {
    if (settings.users === null) return done(null, true);
    const ok = username !== undefined && settings.users[username] === password?.toString();
    if (ok) return done(null, true);
    done(Object.assign(new Error("Bad username or password"), { returnCode: 4 }) as AuthenticateError, false);
  },
  authorizePublish(_client, packet, callback) {
    if (!packet.topic.startsWith("$SYS")) {
      appendFileSync(settings.log, `${JSON.stringify({ topic: packet.topic, payload: packet.payload.toString(), retain: packet.retain })}\n`);
    }
    callback(null);
  },
});

type Socket = ServerWebSocket<{ stream: Duplex | null }>;

function bridge(ws: Socket): Duplex {
  return new Duplex({
    read() {},
    write(chunk: Buffer, _encoding, callback) {
      // aedes answers from a later tick, outside any websocket handler; corking flushes the
      // frame at once (over TLS it would otherwise wait for the client's next frame).
      ws.cork(() => ws.send(chunk));
      callback();
    },
    final(callback) {
      ws.close();
      callback();
    },
    destroy(error, callback) {
      ws.close();
      callback(error);
    },
  });
}

const server = Bun.serve<{ stream: Duplex | null }>({
  hostname: "127.0.0.1",
  port: settings.port,
  ...(settings.tls === null ? {} : { tls: { cert: readFileSync(settings.tls.certFile, "utf8"), key: readFileSync(settings.tls.keyFile, "utf8") } }),
  fetch(request, srv) {
    if (new URL(request.url).pathname !== settings.path) return new Response("no MQTT here", { status: 404 });
    const protocols = request.headers.get("sec-websocket-protocol") ?? "";
    const headers = protocols.includes("mqtt") ? { "Sec-WebSocket-Protocol": "mqtt" } : undefined;
    if (srv.upgrade(request, { data: { stream: null }, headers })) return undefined;
    return new Response("websocket upgrade expected", { status: 400 });
  },
  websocket: {
    open(ws) {
      const stream = bridge(ws);
      ws.data.stream = stream;
      broker.handle(stream);
    },
    message(ws, message) {
      ws.data.stream?.push(typeof message === "string" ? Buffer.from(message) : Buffer.from(message));
    },
    close(ws) {
      ws.data.stream?.push(null);
      ws.data.stream?.destroy();
    },
  },
});

process.on("SIGTERM", () => {
  void server.stop(true);
  broker.close(() => process.exit(0));
});
process.stdout.write(`ready ${server.port}\n`);
