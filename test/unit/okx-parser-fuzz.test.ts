/**
 * Fuzz (fast-check, ≥ 10k inputs per run, seeded): random text, garbled
 * fixture frames and structurally mutated OKX frames into OkxFrameParser.
 * It must never throw, and every frame must be accounted for: each one is
 * Data, Event, Pong, Ignored or Malformed, and the counters add up.
 */
import { readFileSync, readdirSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_INSTRUMENTS } from '../../src/core/domain/instrument.ts';
import { OkxFrameKind, OkxFrameParser } from '../../src/feed/okx/okx-frame-parser.ts';
import { okxFixturePath } from '../support/okx-mock/server.ts';

const dir = okxFixturePath('');
const FRAMES = readdirSync(dir)
  .filter((f) => f.endsWith('.json') && !f.startsWith('ccxt_') && !f.startsWith('rest_'))
  .map((f) => readFileSync(`${dir}/${f}`, 'utf8').replace(/"instId"\s*:\s*"[^"]*"/g, '"instId":"BTC-USDT-SWAP"'));

const sink = { onBookDeltas() {}, onTrade() {}, onLiquidation() {}, onFundingRate() {}, onMarkPrice() {}, onBbo() {} };

function checkAccounting(p: OkxFrameParser, kinds: number[]): void {
  const c = p.counters;
  const n = (k: OkxFrameKind) => kinds.filter((x) => x === k).length;
  expect(c.frames).toBe(kinds.length);
  expect(c.malformed).toBe(n(OkxFrameKind.Malformed));
  expect(c.dataFrames).toBe(n(OkxFrameKind.Data));
  expect(c.ignored).toBe(n(OkxFrameKind.Ignored));
  expect(c.events).toBe(n(OkxFrameKind.Event));
  expect(c.pongs).toBe(n(OkxFrameKind.Pong));
  expect(c.malformed + c.dataFrames + c.ignored + c.events + c.pongs).toBe(c.frames);
}

/** Any JSON value, biased to OKX-like keys. */
const okxKey = fc.constantFrom('arg', 'data', 'action', 'event', 'channel', 'instId', 'instType', 'asks', 'bids', 'px', 'sz', 'side', 'ts', 'seqId', 'prevSeqId', 'details', 'bkPx', 'markPx', 'fundingRate', 'bidPx', 'askSz', 'code', 'msg');
const okxValue = fc.oneof(
  fc.constantFrom('books', 'books5', 'bbo-tbt', 'trades', 'tickers', 'mark-price', 'funding-rate', 'liquidation-orders', 'BTC-USDT-SWAP', 'snapshot', 'update', 'buy', 'sell', 'SWAP', '', '1e309', 'NaN', '-0', '0.1'),
  fc.double(),
  fc.integer(),
  fc.constant(null),
);
const { tree } = fc.letrec((tie) => ({
  tree: fc.oneof({ depthSize: 'small' }, okxValue, fc.array(tie('tree'), { maxLength: 5 }), fc.dictionary(okxKey, tie('tree'), { maxKeys: 6 })),
}));

/** A fixture frame with one path replaced by a random value. */
const mutated = fc.tuple(fc.constantFrom(...FRAMES), fc.nat(), tree).map(([text, pick, value]) => {
  const obj = JSON.parse(text) as unknown;
  const paths: (string | number)[][] = [];
  const walk = (x: unknown, path: (string | number)[]) => {
    paths.push(path);
    if (Array.isArray(x)) x.forEach((v, i) => walk(v, [...path, i]));
    else if (x !== null && typeof x === 'object') for (const [k, v] of Object.entries(x)) walk(v, [...path, k]);
  };
  walk(obj, []);
  const path = paths[pick % paths.length]!;
  if (path.length === 0) return JSON.stringify(value);
  let cur = obj as Record<string | number, unknown>;
  for (const k of path.slice(0, -1)) cur = cur[k] as Record<string | number, unknown>;
  cur[path.at(-1)!] = value;
  return JSON.stringify(obj);
});

/** A fixture frame truncated or with bytes flipped. */
const garbled = fc.tuple(fc.constantFrom(...FRAMES), fc.nat(), fc.nat(), fc.string({ maxLength: 3 })).map(([text, a, b, ins]) => {
  const i = a % (text.length + 1);
  const j = Math.min(text.length, i + (b % 8));
  return b % 3 === 0 ? text.slice(0, i) : text.slice(0, i) + ins + text.slice(j);
});

describe('OkxFrameParser fuzz', () => {
  it('never throws and accounts for every frame (≥ 10k garbled / mutated / random frames)', () => {
    const p = new OkxFrameParser(DEFAULT_INSTRUMENTS, { onGap: () => {} });
    const kinds: number[] = [];
    fc.assert(
      fc.property(fc.oneof(mutated, garbled, fc.string({ maxLength: 64 }), fc.json()), (text) => {
        const k = p.parseFrame(text, 1, sink);
        kinds.push(k);
        return k >= OkxFrameKind.Data && k <= OkxFrameKind.Ignored;
      }),
      { numRuns: 12_000, seed: 20260815 },
    );
    checkAccounting(p, kinds);
    expect(p.counters.malformed).toBeGreaterThan(1000);
    expect(p.counters.dataFrames).toBeGreaterThan(100);
  });

  it('unmodified fixture frames are never malformed', () => {
    const p = new OkxFrameParser(DEFAULT_INSTRUMENTS);
    const kinds = FRAMES.map((f) => p.parseFrame(f, 1, sink));
    expect(kinds).not.toContain(OkxFrameKind.Malformed);
    checkAccounting(p, kinds);
  });

  it('a sink that throws is contained and counted', () => {
    const p = new OkxFrameParser(DEFAULT_INSTRUMENTS);
    const bad = { ...sink, onTrade() { throw new Error('boom'); } };
    const trade = FRAMES.find((f) => f.includes('tradeId'))!;
    expect(p.parseFrame(trade, 1, bad)).toBe(OkxFrameKind.Malformed);
  });
});
