/**
 * CLI for the OKX mock server:
 *   node --import tsx test/support/okx-mock/main.ts [--port N] [--seed N]
 *        [--tick-ms N] [--idle-timeout-ms N] [--book-depth N] [--verbose]
 * Prints one line `okx-mock listening ws=… rest=…` and streams a seeded
 * market (`--tick-ms`, default 100) until SIGINT/SIGTERM.
 * Use with `qhft run --source okx --okx-ws-url ws://127.0.0.1:PORT/ws/v5/public --okx-rest-url http://127.0.0.1:PORT`.
 */
import { startOkxMockServer } from './server.ts';

function parseArgs(argv: string[]): Map<string, string> {
  const m = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith('--')) throw new Error(`unexpected argument ${a}`);
    const next = argv[i + 1];
    if (next === undefined || next.startsWith('--')) m.set(a.slice(2), 'true');
    else {
      m.set(a.slice(2), next);
      i++;
    }
  }
  return m;
}

function int(m: Map<string, string>, k: string, d: number): number {
  const v = m.get(k);
  if (v === undefined) return d;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${k} must be a non-negative integer, got ${v}`);
  return n;
}

const args = parseArgs(process.argv.slice(2));
const server = await startOkxMockServer({
  port: int(args, 'port', 0),
  seed: int(args, 'seed', 1),
  autoTickMs: int(args, 'tick-ms', 100),
  idleTimeoutMs: int(args, 'idle-timeout-ms', 30_000),
  bookDepth: int(args, 'book-depth', 400),
  verbose: args.has('verbose'),
});
console.log(`okx-mock listening ws=${server.wsUrl} rest=${server.restUrl} port=${server.port}`);
const stop = (): void => {
  void server.close().then(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
