/**
 * `qhft` command-line entry. Cold path.
 * Each sub-command lives in its own module; this file only dispatches.
 */
import { runCommand } from './run-command.ts';

const USAGE = `usage: qhft <command> [options]

commands:
  run        run the paper engine (synthetic market by default); qhft run --help
  help       print this help
`;

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(USAGE);
      return 0;
    case 'run':
      return runCommand(rest);
    default:
      process.stderr.write(`qhft: unknown command "${command}"\n${USAGE}`);
      return 2;
  }
}
