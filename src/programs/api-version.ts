/**
 * @module The program API's version. A program declares the version it is written against
 * (`defineProgram({ apiVersion: 1, … })`); a binary serves a list of versions and refuses a
 * program file that declares another, by name. A program that declares none is taken as version 1.
 * docs/program-api.md says what each version holds.
 */

/** The program API versions this binary serves. */
export const PROGRAM_API_VERSIONS: readonly number[] = [1];

/** The version a program that declares none is taken to be written against. */
export const DEFAULT_API_VERSION = 1;
