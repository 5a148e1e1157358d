/**
 * `qhft` command-line entry. Cold path.
 * Each sub-command lives in its own module; this file only dispatches.
 */

const USAGE = `usage: qhft <command> [options]

commands:
  run        run the paper engine (not yet available in this build)
  help       print this help
`;

export async function main(argv: string[]): Promise<number> {
  const [command] = argv;
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
    process.stdout.write(USAGE);
    return 0;
  }
  process.stderr.write(`qhft: unknown or unavailable command "${command}"\n${USAGE}`);
  return 2;
}
