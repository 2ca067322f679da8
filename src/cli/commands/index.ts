import type { CliCommand } from '../command';

/** Every sub-command, by name. Each lives in its own file beside this one. */
export const commands: Record<string, CliCommand> = {};
