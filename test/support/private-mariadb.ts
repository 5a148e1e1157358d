/**
 * A private MariaDB server for fault tests: its own datadir, port and socket,
 * so a test can pause, kill and restart it without touching the shared
 * server on 3306.
 *
 *   mariadb-install-db --no-defaults --auth-root-authentication-method=normal --datadir=<tmp>
 *   /usr/sbin/mariadbd --no-defaults --datadir=<tmp> --port=<free> --socket=<tmp>/sock
 *                      --bind-address=127.0.0.1 --skip-log-bin [--user=root when root]
 *
 * (verified on MariaDB 10.11 / Debian 12: install ≈ 0.5 s, start ≈ 0.3 s,
 * restart after SIGKILL on the same datadir ≈ 0.3 s). Root logs in without a
 * password over TCP (`normal` authentication, empty password).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, openSync, closeSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { probe } from '../../src/gateway/db/connection.ts';

const MARIADBD = process.env.QHFT_TEST_MARIADBD ?? '/usr/sbin/mariadbd';
const INSTALL_DB = process.env.QHFT_TEST_MARIADB_INSTALL_DB ?? 'mariadb-install-db';

export interface PrivateMariaDb {
  readonly port: number;
  readonly dataDir: string;
  /** mysql://root@127.0.0.1:<port>/<database> */
  url(database?: string): string;
  /** Starts the server (again) on the same datadir and port; resolves once it answers. */
  start(): Promise<void>;
  /** SIGSTOP: the server hangs (connections stay open, nothing answers). */
  pause(): void;
  /** SIGCONT after pause(). */
  resume(): void;
  /** SIGKILL, and wait for the process to be gone. */
  kill(): Promise<void>;
  /** Stops the server (if running) and deletes its files. */
  destroy(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a !== null ? a.port : 0;
      s.close(() => res(port));
    });
  });
}

/** Why a private server cannot be started here, or null if it can. */
export function privateMariaDbUnavailable(): string | null {
  if (!existsSync(MARIADBD)) return `${MARIADBD} not found`;
  const r = spawnSync(INSTALL_DB, ['--help'], { encoding: 'utf8' });
  if (r.error !== undefined) return `${INSTALL_DB} not found (${r.error.message})`;
  return null;
}

export async function startPrivateMariaDb(): Promise<PrivateMariaDb> {
  const base = mkdtempSync(join(tmpdir(), 'qhft-mariadb-'));
  const dataDir = join(base, 'data');
  const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const inst = spawnSync(INSTALL_DB, ['--no-defaults', '--auth-root-authentication-method=normal', `--datadir=${dataDir}`, ...(asRoot ? ['--user=root'] : [])], {
    encoding: 'utf8',
    timeout: 60_000,
  });
  if (inst.status !== 0) throw new Error(`${INSTALL_DB} failed (${inst.status}): ${inst.stderr || inst.stdout}`);
  const port = await freePort();
  let child: ChildProcess | null = null;
  let exited: Promise<void> = Promise.resolve();
  const url = (db = '') => `mysql://root@127.0.0.1:${port}/${db}`;

  const start = async (): Promise<void> => {
    const log = openSync(join(base, 'mariadbd.log'), 'a');
    const args = [
      '--no-defaults', `--datadir=${dataDir}`, `--port=${port}`, `--socket=${join(base, 'sock')}`, '--bind-address=127.0.0.1',
      '--skip-log-bin', '--innodb-buffer-pool-size=64M', '--max-connections=50', `--pid-file=${join(base, 'mariadbd.pid')}`,
      ...(asRoot ? ['--user=root'] : []),
    ];
    const c = spawn(MARIADBD, args, { stdio: ['ignore', log, log] });
    closeSync(log);
    child = c;
    exited = new Promise((res) => c.once('exit', () => res()));
    const t0 = Date.now();
    for (;;) {
      if (c.exitCode !== null) throw new Error(`mariadbd exited with ${c.exitCode}; see ${join(base, 'mariadbd.log')}`);
      const p = await probe(url(), { connectTimeoutMs: 1000 });
      if (p.ok) return;
      if (Date.now() - t0 > 30_000) throw new Error(`mariadbd did not answer on port ${port} within 30 s: ${p.error.message}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };

  const signal = (sig: NodeJS.Signals) => {
    if (child?.pid !== undefined && child.exitCode === null) process.kill(child.pid, sig);
  };

  await start();
  return {
    port,
    dataDir,
    url,
    start,
    pause: () => signal('SIGSTOP'),
    resume: () => signal('SIGCONT'),
    kill: async () => {
      signal('SIGCONT');
      signal('SIGKILL');
      await exited;
      child = null;
    },
    destroy: async () => {
      if (child !== null && child.exitCode === null) {
        signal('SIGCONT');
        signal('SIGKILL');
        await exited;
      }
      rmSync(base, { recursive: true, force: true });
    },
  };
}
