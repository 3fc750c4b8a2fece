/** @module `acoupi outbox retry`: puts the messages that failed for good back in the queue, due now. */
import { defineCommand } from "citty";
import { openConfiguredOutbox } from "./_open.ts";

export default defineCommand({
  meta: { name: "retry", description: "Send the failed messages again (all, or the ids given)" },
  args: { ids: { type: "positional", required: false, description: "Message ids (default: every failed message)" } },
  async run({ args }) {
    const { outbox } = await openConfiguredOutbox();
    if (outbox === null) {
      process.stdout.write("The outbox is empty: no failed messages to retry\n");
      return;
    }
    const ids = args._.length > 0 ? args._.map(String) : undefined;
    let count: number;
    try {
      count = outbox.retryFailed({ ids });
    } finally {
      outbox.close();
    }
    process.stdout.write(`Re-queued ${count} failed message${count === 1 ? "" : "s"}; the send task sends them on its next run\n`);
  },
});
