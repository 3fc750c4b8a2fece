/**
 * @module `acoupi outbox` (`outbox list`): the messages waiting to be sent and those that failed for
 * good. The text listing shows control characters from outside as escapes (terminal-text.ts).
 */
import { defineCommand } from "citty";
import { terminalSafe } from "../../terminal-text.ts";
import { openConfiguredOutbox } from "./_open.ts";

export default defineCommand({
  meta: { name: "list", description: "List the pending and failed messages of the outbox" },
  args: {
    failed: { type: "boolean", description: "Only the messages that failed for good" },
    limit: { type: "string", description: "Most messages to list (default 50)" },
    json: { type: "boolean", description: "Print JSON" },
  },
  async run({ args }) {
    const { outbox, path } = await openConfiguredOutbox();
    const limit = args.limit === undefined ? 50 : Math.max(1, Number.parseInt(args.limit, 10) || 50);
    const status = args.failed ? ("failed" as const) : undefined;
    const stats = outbox?.stats() ?? { pending: 0, failed: 0, delivered: 0 };
    const entries = outbox?.list({ status, limit }) ?? [];
    outbox?.close();
    if (args.json) {
      process.stdout.write(`${JSON.stringify({ outbox: path, pending: stats.pending, failed: stats.failed, messages: entries }, null, 2)}\n`);
      return;
    }
    let out = `Outbox ${path}: ${stats.pending} pending, ${stats.failed} failed, ${stats.delivered} delivered\n`;
    for (const e of entries) {
      const next = e.status === "pending" ? `, next attempt ${e.next_attempt_at}` : "";
      out += `  ${e.id}  ${e.status.padEnd(7)}  ${e.kind.padEnd(9)}  created ${e.created_on}, ${e.attempts} attempts${next}\n`;
      if (e.last_error !== null) out += `      last error: ${e.last_error.slice(0, 300)}\n`;
    }
    const shown = status === "failed" ? stats.failed : stats.pending + stats.failed;
    if (shown > entries.length) out += `  … and ${shown - entries.length} more (use --limit)\n`;
    if (stats.failed > 0) out += "Run `acoupi outbox retry` to send the failed messages again once the cause is fixed\n";
    // Errors and kinds came from endpoints and brokers: no escape sequence of theirs reaches the terminal.
    process.stdout.write(terminalSafe(out));
  },
});
