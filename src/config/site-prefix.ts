/**
 * @module The optional site prefix of file names: `<PREFIX>_YYYYMMDD_HHMMSS.wav`, the form that
 * upload platforms parse (the time is the recording's start in UTC, also stated in its GUANO), so
 * files from ten sensors never collide when merged. An empty prefix keeps the default names.
 */
import type { z } from "zod";
import { ConfigError } from "../errors.ts";
import { SetupCancelled, type Asker } from "./ask.ts";
import { fieldAt } from "./walk.ts";

const PREFIX = /^[A-Za-z0-9][A-Za-z0-9-]{0,39}$/;

export function sitePrefixTemplate(prefix: string): string {
  if (!PREFIX.test(prefix)) {
    throw new ConfigError(`The site prefix "${prefix}" cannot be used in file names`, {
      key: "file_management.filename_template",
      help: "Use up to 40 letters, digits and -, starting with a letter or digit, such as WOOD-07",
    });
  }
  return `${prefix}_{created_on:%Y%m%d_%H%M%S}.wav`;
}

/** Asks for the prefix when the program files recordings by name template; "" keeps the default names. */
export async function askSitePrefix(schema: z.ZodType, asker: Asker): Promise<string | undefined> {
  if (!fieldAt(schema, ["file_management", "filename_template"])) return undefined;
  for (;;) {
    let answer: string;
    try {
      answer = await asker.text("Site prefix for file names, giving <PREFIX>_YYYYMMDD_HHMMSS.wav in UTC (empty keeps <YYYYMMDD_HHMMSS>_<id>.wav)\n  site prefix", "");
    } catch (error) {
      // Piped answers that end before this optional question keep the default names.
      if (error instanceof SetupCancelled) return undefined;
      throw error;
    }
    if (answer === "" || PREFIX.test(answer)) return answer === "" ? undefined : answer;
    asker.say("Use up to 40 letters, digits and -, starting with a letter or digit, such as WOOD-07; please answer again");
  }
}
