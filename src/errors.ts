/**
 * @module The AcoupiError family. Every error a user can act on is an AcoupiError: it carries a
 * stable `code`, a message that says what failed and the current state, and an optional `help`
 * line that says what to do. Anything else that reaches `src/cli/report.ts` is a bug.
 */

export interface AcoupiErrorOptions {
  /** One line the user can act on, e.g. "Run `acoupi devices` to list capture devices". */
  help?: string;
  cause?: unknown;
}

export class AcoupiError extends Error {
  readonly code: string;
  readonly help: string | undefined;

  constructor(code: string, message: string, options: AcoupiErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.help = options.help;
  }
}

/** Invalid or missing configuration; `key` names the dotted config key when there is one. */
export class ConfigError extends AcoupiError {
  readonly key: string | undefined;
  constructor(message: string, options: AcoupiErrorOptions & { key?: string } = {}) {
    super("config", message, options);
    this.key = options.key;
  }
}

/** acoupi has no program configured yet. */
export class NotSetUpError extends AcoupiError {
  constructor() {
    super("not-set-up", "acoupi is not set up: run `acoupi setup --program <name>`", {
      help: "Run `acoupi setup --program default` to record with the default program",
    });
  }
}

/** A capture device failed to open, read or configure. */
export class DeviceError extends AcoupiError {
  constructor(message: string, options: AcoupiErrorOptions = {}) {
    super("device", message, options);
  }
}

/** A libasound call returned a negative code; `errno` is its absolute value. */
export class AlsaError extends DeviceError {
  readonly errno: number;
  readonly rc: number;
  constructor(rc: number, message: string, options: AcoupiErrorOptions = {}) {
    super(message, options);
    this.rc = rc;
    this.errno = Math.abs(rc);
  }
}

/** The metadata store or message store could not read or write. */
export class StoreError extends AcoupiError {
  constructor(message: string, options: AcoupiErrorOptions = {}) {
    super("store", message, options);
  }
}

/**
 * A messenger could not deliver a message. `permanent` means retrying will not help (a 4xx);
 * `misconfigured` means the endpoint answers but not as configured (a redirect): the message is
 * kept, and status reports it, until the configuration is fixed.
 */
export class MessageSendError extends AcoupiError {
  readonly permanent: boolean;
  readonly misconfigured: boolean;
  constructor(message: string, options: AcoupiErrorOptions & { permanent?: boolean; misconfigured?: boolean } = {}) {
    super("message-send", message, options);
    this.permanent = options.permanent ?? false;
    this.misconfigured = options.misconfigured ?? false;
  }
}

/** A model is missing, corrupt, or does not fit its configuration. */
export class ModelError extends AcoupiError {
  constructor(message: string, options: AcoupiErrorOptions = {}) {
    super("model", message, options);
  }
}

/** No program with this name or path exists. */
export class ProgramNotFoundError extends AcoupiError {
  constructor(name: string, available: readonly string[], options: AcoupiErrorOptions = {}) {
    super("program-not-found", `Program "${name}" not found`, {
      help: options.help ?? `Available programs: ${available.join(", ")}; or give a path to a .ts or .js program file`,
      cause: options.cause,
    });
  }
}

/**
 * An error in a user's program file, not in acoupi: it does not parse, imports what is not there,
 * declares an API version this binary does not serve, or throws in its `setup`, `check`, a hook or
 * a task. `file` and `line` say where (line 0 when no line is known), `program` which program.
 */
export class ProgramFileError extends AcoupiError {
  readonly file: string;
  readonly line: number;
  readonly program: string;
  constructor(message: string, options: AcoupiErrorOptions & { file: string; line: number; program: string }) {
    super("program-file", message, options);
    this.file = options.file;
    this.line = options.line;
    this.program = options.program;
  }
}

/** A program file whose loading (its top-level code, or its default-exported function) did not finish in time. */
export class ProgramLoadTimeoutError extends AcoupiError {
  constructor(path: string, seconds: number) {
    super("program-load-timeout", `Loading the program file "${path}" did not finish within ${seconds} s`, {
      help: "Its top-level code (or the function it exports) waits for something that never comes: a network call, a lock, a promise. Program files should only define the program; do that work in a task",
    });
  }
}

/** A program's `check` found the deployment unhealthy. */
export class HealthCheckError extends AcoupiError {
  constructor(message: string, options: AcoupiErrorOptions = {}) {
    super("health-check", message, options);
  }
}

/** Starting, stopping or resuming a deployment is not possible in the current state. */
export class DeploymentError extends AcoupiError {
  constructor(message: string, options: AcoupiErrorOptions = {}) {
    super("deployment", message, options);
  }
}

/** `acoupi self-update` refused a release (signature, checksum, architecture, schema) or rolled it back. */
export class UpdateError extends AcoupiError {
  constructor(message: string, options: AcoupiErrorOptions = {}) {
    super("update", message, options);
  }
}

/** A backup or an upload could not complete: its destination is wrong, full, or refused a file. */
export class BackupError extends AcoupiError {
  constructor(message: string, options: AcoupiErrorOptions = {}) {
    super("backup", message, options);
  }
}

/** A command line acoupi cannot read: an unknown command or option, or a missing value. */
export class UsageError extends AcoupiError {
  constructor(message: string, options: AcoupiErrorOptions = {}) {
    super("usage", message, options);
  }
}
