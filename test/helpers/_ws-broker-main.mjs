/**
 * @module The websocket MQTT broker process that test/helpers/ws-broker.ts starts: aedes (a real
 * MQTT broker from npm) behind a node:http or node:https server with the `ws` package's
 * WebSocketServer on 127.0.0.1, at one URL path, with optional users, and a log of every publish
 * it accepts. Each line of the log is written before the broker acknowledges the publish, so a
 * test reads what the backend received even after the broker was killed. It runs under Node, not
 * Bun: hosted by Bun (Bun.serve or its `ws` shim), the broker side left about one TLS websocket
 * session in four without its PUBACK, while under Node 60 of 60 went through with the same client.
 * Plain JavaScript, so Node runs it as it is.
 */
import { Aedes } from "aedes";
import { appendFileSync, readFileSync } from "node:fs";
import { createServer as createHttpServer } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import { createWebSocketStream, WebSocketServer } from "ws";

/** @type {{ port: number, path: string, users: Record<string, string> | null, tls: { certFile: string, keyFile: string } | null, log: string }} */
const settings = JSON.parse(process.env.ACOUPI_WS_BROKER ?? "{}");
const broker = await Aedes.createBroker({
  authenticate(_client, username, password, done) {
    if (settings.users === null) return done(null, true);
    const ok = username !== undefined && settings.users[username] === password?.toString();
    if (ok) return done(null, true);
    done(Object.assign(new Error("Bad username or password"), { returnCode: 4 }), false);
  },
  authorizePublish(_client, packet, callback) {
    if (!packet.topic.startsWith("$SYS")) {
      appendFileSync(settings.log, `${JSON.stringify({ topic: packet.topic, payload: packet.payload.toString(), retain: packet.retain })}\n`);
    }
    callback(null);
  },
});

const server = settings.tls === null
  ? createHttpServer()
  : createHttpsServer({ cert: readFileSync(settings.tls.certFile), key: readFileSync(settings.tls.keyFile) });
const wss = new WebSocketServer({ server, path: settings.path });
wss.on("connection", (socket) => {
  broker.handle(createWebSocketStream(socket));
});

process.on("SIGTERM", () => {
  wss.close();
  server.close();
  broker.close(() => process.exit(0));
});
server.listen(settings.port, "127.0.0.1", () => {
  process.stdout.write(`ready ${settings.port}\n`);
});
