/**
 * @module Waiting on mqtt.js: a promise raced against a timer, and the first CONNACK of a new
 * client (or the error or close that comes instead), with every listener removed afterwards so
 * the client's own reconnect loop carries on alone.
 */
import type { MqttClient } from "mqtt";

export function withTimeout<T>(promise: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(onTimeout()), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Resolves on the client's first CONNACK; rejects on an error, a close (with `closedError`, e.g.
 * the failure already described, so it is not described again) or after `timeoutMs`.
 */
export function firstConnack(client: MqttClient, timeoutMs: number, closedError: () => Error): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const cleanup = () => {
      clearTimeout(timer);
      client.off("connect", onConnect);
      client.off("error", onError);
      client.off("close", onClose);
    };
    const onConnect = () => (cleanup(), resolve());
    const onError = (error: Error) => (cleanup(), reject(error));
    const onClose = () => (cleanup(), reject(closedError()));
    const timer = setTimeout(() => onError(Object.assign(new Error("connack timeout"), { code: "ETIMEDOUT" })), timeoutMs);
    client.on("connect", onConnect);
    client.on("error", onError);
    client.on("close", onClose);
  });
}
