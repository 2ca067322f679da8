/** One CLI sub-command: `mobilenet <name> ...args`. Returns the process exit code. */
export interface CliCommand {
  summary: string;
  run(args: string[]): Promise<number>;
}
