import type { CliCommand } from '../command';
import { benchCommand } from './bench';
import { tuneCommand } from './tune';
import { classifyCommand } from './classify';
import { quantizeCommand } from './quantize';
import { fetchCommand } from './fetch';
import { inspectCommand } from './inspect';
import { infoCommand } from './info';
import { labelsCommand } from './labels';
import { teachCommand } from './teach';

/** Every sub-command, by name. Each lives in its own file beside this one. */
export const commands: Record<string, CliCommand> = {
  fetch: fetchCommand,
  classify: classifyCommand,
  quantize: quantizeCommand,
  inspect: inspectCommand,
  info: infoCommand,
  teach: teachCommand,
  labels: labelsCommand,
  bench: benchCommand,
  tune: tuneCommand,
};
