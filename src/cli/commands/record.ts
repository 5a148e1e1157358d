/**
 * `qhft record --record FILE [run flags]`: records a market-data session
 * without trading (a `qhft run --no-trade --record FILE`).
 * `qhft record --info FILE`: describes a recording (header, frames, span,
 * counts by message type, torn tail). Cold path.
 */
import { describeRecording } from '../../feed/recording/index.ts';
import { runCommand } from './run.ts';

const USAGE = `usage: qhft record --record FILE [qhft run flags]   record without trading
       qhft record --info FILE                      describe a recording
`;

export async function command(argv: string[]): Promise<number> {
  if (argv.includes('--help')) {
    process.stdout.write(USAGE);
    return 0;
  }
  const info = argv.indexOf('--info');
  if (info >= 0) {
    const path = argv[info + 1];
    if (path === undefined) {
      process.stderr.write(`qhft record: --info needs a FILE\n${USAGE}`);
      return 2;
    }
    try {
      const d = describeRecording(path);
      const { header } = d;
      process.stdout.write(
        `${path}\n  source ${header.source}, seed ${header.seed}, config ${header.configHash}, format v${header.formatVersion}\n` +
          `  instruments ${header.instruments.map((i) => i.symbol).join(', ')}\n` +
          `  ${d.frames} frames, ${d.bytes} bytes, ${d.durationS.toFixed(1)} s of market time\n` +
          `  by type ${JSON.stringify(d.countsByMsgType)}\n` +
          (d.truncatedTailBytes > 0 ? `  torn tail: ${d.truncatedTailBytes} bytes ignored (the valid prefix is usable)\n` : ''),
      );
      return 0;
    } catch (err) {
      process.stderr.write(`qhft record: ${(err as Error).message}\n`);
      return 1;
    }
  }
  if (!argv.some((a) => a === '--record' || a.startsWith('--record='))) {
    process.stderr.write(`qhft record: --record FILE is required\n${USAGE}`);
    return 2;
  }
  return runCommand([...argv, '--no-trade']);
}
