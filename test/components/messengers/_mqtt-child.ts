/**
 * @module A separate process for the last-will test: it connects an MqttMessenger, sends one
 * message, prints "sent" and waits to be killed, so that the broker sees the socket drop
 * without a DISCONNECT. Arguments: port, topic template, device id.
 */
import { MqttConfigSchema, MqttMessenger } from "../../../src/components/messengers/mqtt-messenger.ts";
import { createMessage } from "../../../src/data/index.ts";

const [port, topic, deviceId] = process.argv.slice(2);
const config = MqttConfigSchema.parse({ host: "127.0.0.1", port: Number(port), topic, client_id: `child-${deviceId}`, availability_topic: `${topic}/status` });
const messenger = new MqttMessenger(config, { deviceId });
await messenger.send(createMessage("heartbeat", "{}"));
process.stdout.write("sent\n");
setInterval(() => {}, 60_000);
