#!/usr/bin/env node
import { commands } from './commands';
import { toError } from '../to-error';

function usage(): string {
  const lines = Object.entries(commands).map(([name, command]) => `  ${name.padEnd(10)} ${command.summary}`);
  return [
    'Usage: mobilenet <command> [options]',
    '',
    'Commands:',
    ...lines,
    '',
    'Run `mobilenet <command> --help` for its options.',
  ].join('\n');
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(usage());
    return name ? 0 : 2;
  }
  const command = commands[name];
  if (!command) {
    console.error(`mobilenet: unknown command "${name}". Valid commands are: ${Object.keys(commands).join(', ')}`);
    return 2;
  }
  return command.run(rest);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(`mobilenet: ${toError(error).message}`);
    process.exitCode = 1;
  },
);
