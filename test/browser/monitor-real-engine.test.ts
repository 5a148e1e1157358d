// The monitor UI in a real Chromium against the REAL engine (no fake view):
// `qhft run --source okx` in a child process on the local OKX v5 mock
// (WebSocket + REST on 127.0.0.1), MySQL configured (a fresh MariaDB database
// of its own, migrated with `qhft migrate`, dropped at the end), the monitor
// on a free port. The test proves the whole chain:
//   exchange frames → feed → sanitizer → strategy/risk/execution → monitor →
//   browser (every page shows live data that changes), liquidation bursts →
//   hunter fills → Trading page and the `fills` table (same count as the
//   summary), the kill switch clicked in the UI halts trading (/api/summary),
//   and SIGINT ends the run with exit 0 and lost = 0.
// Screenshots: test-artifacts/real-engine-<page>.png.
//
// Under CI=true a missing Chromium or MariaDB FAILS the file; otherwise the
// suite is skipped with a visible message.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import net from 'node:net';
import type { RowDataPacket } from 'mysql2/promise';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import type { RunSummary } from '../../src/core/engine/summary.ts';
import type { EngineWriterStats } from '../../src/gateway/db/engine-writer.ts';
import { connectOnce, probe, withDatabase } from '../../src/gateway/db/connection.ts';
import type { HealthInfo } from '../../src/gateway/monitor/engine-view.ts';
import { startOkxMockServer, type OkxMockServer } from '../support/okx-mock/index.ts';

const CHROMIUM = process.env.QHFT_CHROMIUM ?? '/usr/bin/chromium';
const CI = process.env.CI === 'true' || process.env.CI === '1';
const BASE_URL = process.env.QHFT_TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/test';
const haveChromium = existsSync(CHROMIUM);
const reach = await probe(BASE_URL, { connectTimeoutMs: 3000 });
const missing = [
  ...(haveChromium ? [] : [`no Chromium at ${CHROMIUM} (apt-get install chromium, or set QHFT_CHROMIUM)`]),
  ...(reach.ok ? [] : [`no MySQL/MariaDB at ${BASE_URL}: ${reach.error.message}`]),
];
if (missing.length > 0) {
  if (CI) throw new Error(`real-engine browser test: ${missing.join('; ')} and CI=true (both are required under CI)`);
  console.warn(`\n  ⚠ real-engine browser test SKIPPED: ${missing.join('; ')} (required under CI=true)\n`);
}

const BTC = 'BTC-USDT-SWAP';
const ETH = 'ETH-USDT-SWAP';
/** A hunter that fires on small bursts within a second of start-up (as in engine-okx-e2e). */
const EAGER_HUNTER = {
  strategy: {
    warmupUs: 500_000,
    windowUs: 2_000_000,
    baselineHalfLifeUs: 60_000_000,
    burstK: 1,
    minBurstNotionalQuote: 5_000,
    minMoveBps: 0,
    cooldownUs: 300_000,
    timeStopUs: 800_000,
  },
  // A limit the risk panel must show as configured (the hunter trades 1 lot at a time).
  risk: { defaultMaxPositionLots: 37 },
};

const root = resolve(import.meta.dirname, '..', '..');
const artifacts = join(root, 'test-artifacts');
const work = mkdtempSync(join(tmpdir(), 'qhft-real-engine-'));
const dbName = `qhft_browser_${process.pid}_${Math.floor(Math.random() * 1e9)}`;
const dbUrl = withDatabase(BASE_URL, dbName);
const summaryFile = join(work, 'summary.json');

type Summary = RunSummary & { writer?: EngineWriterStats };

let mock: OkxMockServer;
let engine: ChildProcessWithoutNullStreams | null = null;
let exited: Promise<number | null>;
let stderr = '';
let stdout = '';
let api: string;
let runId: string;
let ctx: BrowserContext;
let page: Page;
let dbCreated = false;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A free port on 127.0.0.1, chosen up front (see monitor-pages.test.ts). */
function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolvePort(p));
    });
  });
}

function engineLog(): string {
  return `--- engine stderr (tail) ---\n${stderr.slice(-4000)}\n--- engine stdout (tail) ---\n${stdout.slice(-2000)}`;
}

async function sql(q: string, params: unknown[] = [], url = dbUrl): Promise<RowDataPacket[]> {
  const c = await connectOnce(url, { connectTimeoutMs: 3000 });
  try {
    const [rows] = await c.query<RowDataPacket[]>(q, params);
    return rows;
  } finally {
    await c.end().catch(() => c.destroy());
  }
}

async function one(q: string, params: unknown[] = []): Promise<number> {
  const [r] = await sql(q, params);
  return Number(Object.values(r!)[0]);
}

async function getJson<T>(path: string): Promise<{ status: number; body: T }> {
  const res = await fetch(`${api}${path}`, { signal: AbortSignal.timeout(5000) });
  return { status: res.status, body: (await res.json()) as T };
}

const summary = async () => (await getJson<Summary>('/api/summary')).body;

/** Polls `f` until it returns a value that is not undefined; bounded. */
async function until<T>(what: string, f: () => Promise<T | undefined>, timeoutMs = 15_000, everyMs = 200): Promise<T> {
  const end = Date.now() + timeoutMs;
  let lastErr: unknown = null;
  while (Date.now() < end) {
    if (engine !== null && engine.exitCode !== null) throw new Error(`engine exited (${engine.exitCode}) while waiting for ${what}\n${engineLog()}`);
    try {
      const v = await f();
      if (v !== undefined) return v;
    } catch (err) {
      lastErr = err;
    }
    await sleep(everyMs);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastErr ? ` (last error: ${(lastErr as Error).message})` : ''}\n${engineLog()}`);
}

const text = (id: string) => page.getByTestId(id).first().innerText();

async function waitForText(id: string, pred: (t: string) => boolean, timeoutMs = 15_000): Promise<string> {
  let last = '';
  try {
    return await until(`[data-testid=${id}]`, async () => {
      last = await text(id).catch(() => '');
      return pred(last) ? last : undefined;
    }, timeoutMs, 150);
  } catch (err) {
    throw new Error(`${(err as Error).message.split('\n')[0]}; last text: ${JSON.stringify(last)}`, { cause: err });
  }
}

/** Reads `id`, then expects a different text within `timeoutMs`. */
async function expectChanges(id: string, timeoutMs = 10_000): Promise<void> {
  const a = await waitForText(id, (t) => t.trim() !== '' && t !== '–');
  const b = await waitForText(id, (t) => t !== a && t.trim() !== '', timeoutMs).catch(() => a);
  expect(b, `[data-testid=${id}] should change over time`).not.toBe(a);
}

/** The first number in a text like "1,234/s" or "12 / 0". */
const num = (t: string) => Number(/-?[\d,]*\.?\d+/.exec(t)?.[0]?.replace(/,/g, '') ?? NaN);

async function open(route: string): Promise<void> {
  await page.goto(`${api}/#/${route}`);
  await waitForText('conn-state', (t) => t === 'open');
  await page.getByTestId(`page-${route}`).waitFor({ timeout: 10_000 });
}

async function shot(name: string): Promise<void> {
  await page.screenshot({ path: join(artifacts, `real-engine-${name}.png`) });
}

/** A `liquidation-orders` entry: `n` distinct forced orders on `side` at the touch (as in engine-okx-e2e). */
function liquidationBurst(instId: string, side: 'sell' | 'buy', n: number, contracts: number): unknown {
  const m = mock.model.model(instId)!;
  const ts = String(Date.now());
  const px = m.px(side === 'sell' ? m.bestBid() : m.bestAsk());
  const details = Array.from({ length: n }, (_, k) => ({
    bkLoss: '0', bkPx: px, ccy: '', posSide: side === 'sell' ? 'long' : 'short', side, sz: String(contracts + k), ts,
  }));
  const family = instId.replace(/-SWAP$/, '');
  return { details, instFamily: family, instId, instType: 'SWAP', uly: family };
}

function pushBursts(): void {
  for (const id of [BTC, ETH]) {
    mock.push('liquidation-orders', 'SWAP', liquidationBurst(id, 'sell', 3, 400));
    mock.push('liquidation-orders', 'SWAP', liquidationBurst(id, 'buy', 3, 400));
  }
}

/** `node bin/qhft.js <args>` (async: the OKX mock in this process keeps serving). */
function qhft(args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): ChildProcessWithoutNullStreams {
  return spawn(process.execPath, [join(root, 'bin', 'qhft.js'), ...args], {
    cwd: opts.cwd ?? root,
    env: { ...process.env, ...opts.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}

async function qhftOk(args: string[]): Promise<string> {
  const c = qhft(args);
  let out = '';
  c.stdout.on('data', (d: Buffer) => (out += d.toString()));
  c.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const code = await new Promise<number | null>((res) => c.on('exit', (x) => res(x)));
  if (code !== 0) throw new Error(`qhft ${args.join(' ')} exited ${code}:\n${out}`);
  return out;
}

describe.skipIf(missing.length > 0)('monitor UI in Chromium on the real engine (OKX mock, MariaDB)', () => {
  beforeAll(async () => {
    execFileSync(process.execPath, [join(root, 'scripts', 'build-ui.mjs'), '--if-stale', '--quiet'], { stdio: 'inherit' });
    mkdirSync(artifacts, { recursive: true });

    // A database of its own. `run --mysql-url URL` does not create or migrate
    // (only the auto-detected default database is): `qhft migrate` first.
    dbCreated = true;
    await qhftOk(['migrate', '--mysql-url', dbUrl, '--create-database']);

    mock = await startOkxMockServer({ seed: 11, autoTickMs: 20, bookDepth: 50 });
    const cfg = join(work, 'hunter.json');
    writeFileSync(cfg, JSON.stringify(EAGER_HUNTER));
    const port = await freePort();
    api = `http://127.0.0.1:${port}`;
    // cwd = the temp dir: the monitor's token file (.qhft/monitor-token) goes there, not into the repo.
    engine = qhft(
      [
        'run', '--source', 'okx', '--okx-ws-url', mock.wsUrl, '--okx-rest-url', mock.restUrl,
        '--http-host', '127.0.0.1', '--http-port', String(port), '--config', cfg, '--duration', '90s',
        '--journal-dir', join(work, 'journal'), '--mysql-url', dbUrl, '--summary-json', summaryFile,
      ],
      { cwd: work, env: { QHFT_OKX_MARKETS_CACHE: join(work, 'okx-markets.json') } },
    );
    engine.stdin.end();
    engine.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    engine.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const child = engine;
    exited = new Promise((res) => child.on('exit', (code) => res(code)));

    const health = await until('GET /api/health = 200', async () => {
      const h = await getJson<HealthInfo>('/api/health');
      return h.status === 200 ? h.body : undefined;
    }, 45_000, 250);
    expect(health).toMatchObject({ ok: true, state: 'running', source: 'okx' });
    runId = health.runId!;
    expect(runId).toMatch(/^\d+$/);
    expect(stderr).toMatch(new RegExp(`writer: MySQL .*${dbName}.*\\(schema version \\d+\\)`));

    ctx = await chromium.launchPersistentContext(join(work, 'profile'), {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
        '--disable-component-update', '--disable-sync'],
      viewport: { width: 1280, height: 800 },
    });
    page = ctx.pages()[0] ?? (await ctx.newPage());
    page.setDefaultTimeout(15_000);
    page.on('pageerror', (e) => console.error('page error:', e.message));
  }, 110_000);

  afterAll(async () => {
    await ctx?.close().catch(() => undefined);
    if (engine !== null && engine.exitCode === null) {
      engine.kill('SIGKILL');
      await exited;
    }
    await mock?.close();
    if (dbCreated) await sql(`DROP DATABASE IF EXISTS \`${dbName}\``, [], BASE_URL).catch((e: Error) => console.warn(`drop ${dbName}: ${e.message}`));
    rmSync(work, { recursive: true, force: true });
  }, 60_000);

  it('Live market data: exchange data reaches the page (book ladder, moving mid, growing trades tape)', async () => {
    await open('market');
    await waitForText('market-feed-state', (t) => t === 'OK');
    await waitForText('book-mid', (t) => /^\d/.test(t));
    // Bid and ask rows of the ladder carry prices.
    const rows = async (side: 'bids' | 'asks') => (await page.getByTestId(`book-${side}`).innerText()).split('\n').filter((l) => /^\d/.test(l.trim())).length;
    await until('book ladder rows', async () => ((await rows('bids')) >= 5 && (await rows('asks')) >= 5 ? true : undefined));
    await expectChanges('book-mid');
    const trades0 = num(await waitForText('trade-count', (t) => /^\d/.test(t)));
    await waitForText('trade-count', (t) => num(t) > trades0);
    await waitForText('trades-tape', (t) => /buy|sell/i.test(t));
    await waitForText('mark-price', (t) => /^\d/.test(t));
    // The exchange's funding-rate frames reach the page (the sanitizer passes them to the monitor).
    await waitForText('funding-rate', (t) => /\d/.test(t));
    // The ladder says which venue sequence number it shows (OKX seqId).
    await waitForText('book-seq', (t) => num(t) > 0);
    // The mock's own forced orders (liquidation-orders, instType SWAP) reach the tape.
    await waitForText('liq-tape', (t) => /BUY|SELL/.test(t));
    expect(await page.getByTestId('price-chart').locator('canvas').count()).toBeGreaterThan(0);
    await shot('market');
  });

  it('Home: events/s > 0, data-quality OK for both instruments, counters that change', async () => {
    await open('home');
    await waitForText('engine-state', (t) => /running/.test(t));
    await waitForText('events-rate', (t) => num(t) > 0);
    await waitForText('feed-0', (t) => t === 'OK');
    await waitForText('feed-1', (t) => t === 'OK');
    const dq = await text('data-quality');
    expect(dq).toContain(BTC);
    expect(dq).toContain(ETH);
    expect(await text('trading-state')).toBe('ACTIVE');
    await expectChanges('events-in');
    await expectChanges('run-duration');
    await shot('home');
  });

  it('liquidation bursts make the hunter trade: fills on /api/summary and on the Trading page', async () => {
    await open('trading');
    const s = await until('fills after liquidation bursts', async () => {
      pushBursts();
      const x = await summary();
      return x.fills > 0 ? x : undefined;
    }, 30_000, 500);
    expect(s.orders.accepted).toBeGreaterThan(0);
    await waitForText('signals-table', (t) => /ENTER|no trade/i.test(t));
    await waitForText('orders-table', (t) => /ACCEPTED/.test(t));
    await waitForText('fills-table', (t) => /(buy|sell) [MT]/.test(t));
    // The guard's own limits, as configured, with their live values.
    await waitForText('risk-limits', (t) => t.includes('orders denied / submitted') && /\|position\| BTC-USDT-SWAP \(lots\)\s*[\d.,]+ \/ 37/.test(t) && t.includes('open orders') && t.includes('day loss (quote) → HALTED'));
    // More bursts: the tables keep moving.
    const before = await text('signals-table');
    await until('new signals on the page', async () => {
      pushBursts();
      return (await text('signals-table')) !== before ? true : undefined;
    }, 15_000, 700);
    await shot('trading');
    // Home: the fills split by cause, summing to the fill count. Both cells
    // are read in one evaluation (one render). Mid-run the causes come from
    // the execution stage's 1 Hz report while the count follows the fill
    // events, so they agree once the report catches up: wait for that.
    await open('home');
    let last = '';
    await until('fills by cause summing to the fill count on the home page', async () => {
      const [fills, causes] = (await page.evaluate("['fills-count', 'fill-causes'].map((id) => document.querySelector('[data-testid=' + id + ']')?.textContent ?? '')")) as string[];
      last = `${fills} | ${causes}`;
      const n = num(fills!.split('·')[0]!);
      const parts: number[] = causes!.match(/[\d,]+/g)?.map(num) ?? [];
      return n > 0 && parts.length === 4 && parts.reduce((a, b) => a + b, 0) === n ? true : undefined;
    }).catch((err: Error) => {
      throw new Error(`${err.message.split('\n')[0]}; last cells: ${last}`, { cause: err });
    });
    // Mid-run the reconciliation's difference is work between two 1 Hz
    // reports, so the page must not call it lost while the engine runs.
    expect(await page.evaluate("document.querySelector('[data-testid=fills-count]')?.previousElementSibling?.textContent")).toBe('fills · in flight');
  });

  it('Latency: HDR curves drawn and tick-to-trade counted once orders exist', async () => {
    await open('latency');
    expect((await summary()).latencyUs.tickToTrade.count).toBeGreaterThan(0);
    const t2t = async () => {
      const row = page.getByTestId('latency-table').locator('tr', { hasText: 'tickToTrade' }).first();
      return num(await row.locator('td').nth(1).innerText());
    };
    await until('tickToTrade count > 0 in the latency table', async () => ((await t2t().catch(() => 0)) > 0 ? true : undefined));
    await waitForText('latency-table', (t) => t.includes('feed>sanitizer'));
    await expectChanges('latency-table');
    expect(await page.getByTestId('latency-chart').locator('canvas').count()).toBeGreaterThan(0);
    await waitForText('db-lag', (t) => /^connected · lag \d/.test(t));
    await waitForText('rings', (t) => t.includes('md.strategy') && t.includes('events.execution'));
    await expectChanges('loop-delay');
    await shot('latency');
  });

  it('the kill switch in the UI halts trading (/api/summary: HALTED, killSwitch)', async () => {
    await open('home');
    const tokenPath = /token for control in (\S+)\)/.exec(stderr)?.[1];
    expect(tokenPath, engineLog()).toBeDefined();
    const token = readFileSync(resolve(work, tokenPath!), 'utf8').trim();
    expect(token).toMatch(/^\S{16,}$/);
    await page.getByTestId('kill-button').click();
    await page.getByTestId('command-token').fill(token);
    await page.getByTestId('command-reason').fill('real-engine browser test');
    await page.getByTestId('command-confirm').click();
    await waitForText('trading-state', (t) => t === 'HALTED');
    // The operator's reason is kept and shown (it is also in the engine's log).
    await waitForText('kill-latched', (t) => t === 'kill switch latched: real-engine browser test');
    expect(stderr).toMatch(/kill switch: engaged: real-engine browser test/);
    const s = await summary();
    expect(s).toMatchObject({ tradingState: 'HALTED', killSwitch: true });
    // Halted means halted: more bursts, no order accepted.
    const accepted = s.orders.accepted;
    for (let k = 0; k < 4; k++) {
      pushBursts();
      await sleep(400);
    }
    const after = await summary();
    expect(after.orders.accepted).toBe(accepted);
    expect(after).toMatchObject({ tradingState: 'HALTED', killSwitch: true });
    await shot('kill');
  });

  it('SIGINT stops the engine: exit 0, lost = 0, and every fill is in the database', async () => {
    const live = await summary();
    expect(engine!.exitCode, 'the engine must still be running (not ended by --duration)').toBeNull();
    engine!.kill('SIGINT');
    const code = await Promise.race([exited, sleep(60_000).then(() => 'timeout' as const)]);
    expect(code, engineLog()).toBe(0);
    const s = JSON.parse(readFileSync(summaryFile, 'utf8')) as Summary;
    expect(s.source).toBe('okx');
    expect(s.lost).toBe(0);
    expect(s.stageErrors).toEqual([]);
    expect(s.killSwitch).toBe(true);
    expect(s.fills).toBeGreaterThanOrEqual(live.fills);
    expect(s.fills).toBeGreaterThan(0);
    expect(String(s.writer?.runId)).toBe(runId);
    expect(s.writer?.journalRows, engineLog()).toBe(0);
    expect(stdout).toMatch(/writer: all rows written to/);

    const dbFills = await one('SELECT COUNT(*) FROM fills WHERE run_id = ?', [runId]);
    const dbDistinct = await one('SELECT COUNT(DISTINCT fill_id) FROM fills WHERE run_id = ?', [runId]);
    const dbOrders = await one('SELECT COUNT(*) FROM orders WHERE run_id = ?', [runId]);
    const [run] = await sql('SELECT source, exit_reason, ended_unix_us FROM runs WHERE run_id = ?', [runId]);
    const killRows = await sql("SELECT reason, detail FROM risk_events WHERE run_id = ? AND kind = 'KILL_SWITCH'", [runId]);
    const kills = killRows.length;
    console.log(`[real-engine] run ${runId}: ${s.events.in} events, ${s.signals} signals, ${s.orders.submitted} orders, ${s.fills} fills; ` +
      `db: ${dbFills} fills, ${dbOrders} orders, ${kills} KILL_SWITCH risk events ${JSON.stringify(killRows)}, run row ${JSON.stringify(run)}`);
    expect(dbFills).toBe(s.fills);
    expect(dbDistinct).toBe(s.fills);
    expect(dbOrders).toBe(s.orders.submitted);
    expect(run).toMatchObject({ source: 'okx', exit_reason: 'signal' });
    expect(run!.ended_unix_us).not.toBeNull();
    expect(kills).toBeGreaterThanOrEqual(1);
  });
});
