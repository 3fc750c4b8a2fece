/**
 * @module `acoupi setup --edit KEY`: asks one answer again, with the same checks as setup, on a
 * setup that was interrupted (the draft is updated, and `acoupi setup` resumes it) or finished
 * (the configuration is validated and rewritten, and the change printed). Refused while a
 * deployment is active, like setup itself.
 */
import { checkAnswer } from "../../config/answer-checks.ts";
import { Asker } from "../../config/ask.ts";
import { isSetUp, readProgramName, writeProgramConfig } from "../../config/config-file.ts";
import { readJsonFile } from "../../system/json-file.ts";
import { diffConfig, formatChanges } from "../../config/diff.ts";
import { storedPaths } from "../../config/home-paths.ts";
import { promptOne } from "../../config/prompt.ts";
import { readSetupDraft, writeSetupDraft } from "../../config/setup-draft.ts";
import { validateConfig } from "../../config/validate.ts";
import { NotSetUpError } from "../../errors.ts";
import type { AcoupiPaths } from "../../system/paths.ts";
import { programs } from "../../app/load-program.ts";

export async function editAnswer(paths: AcoupiPaths, key: string): Promise<void> {
  const draft = readSetupDraft(paths);
  if (draft) {
    const definition = await programs.load(draft.program);
    const config = await promptOne(definition.configSchema, draft.config, key, { asker: new Asker(), checkAnswer });
    writeSetupDraft(paths, { program: draft.program, config, answered: [...new Set([...draft.answered, key])] });
    process.stdout.write(`${key} is kept in the interrupted setup: run \`acoupi setup --program ${draft.program}\` to finish it\n`);
    return;
  }
  if (!isSetUp(paths)) throw new NotSetUpError();
  const programName = readProgramName(paths);
  const definition = await programs.load(programName);
  const before = validateConfig(definition.configSchema, readJsonFile(paths.programJson), { source: paths.programJson });
  const answered = await promptOne(definition.configSchema, structuredClone(before) as Record<string, unknown>, key, { asker: new Asker(), checkAnswer });
  const config = validateConfig(definition.configSchema, answered, { source: `the answer for ${key}` });
  const changes = diffConfig(storedPaths(definition.configSchema, before, paths.home), storedPaths(definition.configSchema, config, paths.home));
  writeProgramConfig(paths, programName, config, definition.configSchema);
  process.stdout.write(changes.length > 0 ? `Changed:\n${formatChanges(definition.configSchema, changes).join("\n")}\n` : `${key} is unchanged\n`);
}
