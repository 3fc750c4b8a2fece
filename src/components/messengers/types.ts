/** @module The Messenger interface: delivers one outbox message to a backend. */
import type { CheckReport, ComponentStatus, Message, Response } from "../../data/index.ts";

/**
 * Contract: `send` resolves with a SUCCESS Response only once delivery is confirmed (PUBACK at
 * QoS 1, HTTP 2xx). It throws MessageSendError when nothing was delivered (`permanent` only when
 * the payload itself is refused, HTTP 400, 413, 415 or 422; a 404 during a redeploy, refused
 * credentials and rate limits are retryable, so that the backlog is delivered once they clear). The connection is kept open between calls. `check` tells apart auth refused,
 * unreachable and TLS failure with a help line. Safe to call `send` concurrently.
 */
export interface Messenger {
  send(message: Message): Promise<Response>;
  /** Resolves with what it reached; throws HealthCheckError. */
  check(): Promise<CheckReport>;
  close(): Promise<void>;
  /**
   * Its own health for the status file: degraded when a retry cannot cure the failure (refused
   * credentials, a bad certificate), with `messenger` (its kind) and `last_error` as figures.
   */
  status?(): ComponentStatus;
}
