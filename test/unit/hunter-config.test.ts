import { describe, expect, it } from 'vitest';
import { makeInstrumentSpec } from '../../src/core/domain/instrument.ts';
import { DEFAULT_HUNTER_CONFIG, validateHunterConfig } from '../../src/core/strategies/hunter-config.ts';
import { RecordingOutput } from '../../src/core/strategies/recording-output.ts';
import { SimpleLiquidationHunter } from '../../src/core/strategies/simple-liquidation-hunter.ts';

const SPEC = makeInstrumentSpec({
  id: 3, symbol: 'TEST-USDT-SWAP', tickSize: 0.01, lotSize: 1, minSizeLots: 2, contractValue: 1, makerFeeBps: 0, takerFeeBps: 0,
});

describe('validateHunterConfig', () => {
  it('fills every field from the defaults and freezes the result', () => {
    const cfg = validateHunterConfig({});
    expect(cfg).toEqual(DEFAULT_HUNTER_CONFIG);
    expect(Object.isFrozen(cfg)).toBe(true);
    expect(validateHunterConfig()).toEqual(DEFAULT_HUNTER_CONFIG);
  });

  it('keeps valid overrides', () => {
    const cfg = validateHunterConfig({ burstK: 3.5, entryOrderType: 'limit', windowUs: 5_000_000, windowBuckets: 50, moveReference: 'trade' });
    expect(cfg.burstK).toBe(3.5);
    expect(cfg.entryOrderType).toBe('limit');
    expect(cfg.windowBuckets).toBe(50);
    expect(cfg.moveReference).toBe('trade');
    expect(cfg.takeProfitBps).toBe(DEFAULT_HUNTER_CONFIG.takeProfitBps);
  });

  it.each([
    ['burstK', 0, /burstK must be a number > 0, got 0/],
    ['burstK', Number.NaN, /burstK .* got NaN/],
    ['windowUs', 1.5, /windowUs must be an integer ≥ 1 \(µs\), got 1.5/],
    ['windowBuckets', 0, /windowBuckets .* got 0/],
    ['windowBuckets', 4096, /windowBuckets .* got 4096/],
    ['minBurstNotionalQuote', -1, /minBurstNotionalQuote .* got -1/],
    ['minMoveBps', '20', /minMoveBps .* got "20"/],
    ['takeProfitBps', -5, /takeProfitBps .* got -5/],
    ['stopLossBps', Infinity, /stopLossBps .* got Infinity/],
    ['timeStopUs', 0, /timeStopUs .* got 0/],
    ['cooldownUs', null, /cooldownUs .* got null/],
    ['orderSizeLots', 0.5, /orderSizeLots must be an integer ≥ 1 \(lots\), got 0.5/],
    ['entryOrderType', 'market', /entryOrderType must be 'ioc' or 'limit', got "market"/],
    ['exitOrderType', 'limit', /exitOrderType .* got "limit"/],
    ['moveReference', 'last', /moveReference .* got "last"/],
    ['strategyId', 256, /strategyId must be an integer in \[0, 255\], got 256/],
    ['idBase', -1, /idBase .* got -1/],
    ['idBase', Number.MAX_SAFE_INTEGER, /idBase .* got 9007199254740991/],
    ['baselineHalfLifeUs', 0, /baselineHalfLifeUs .* got 0/],
    ['entryOffsetTicks', -1, /entryOffsetTicks .* got -1/],
    ['exitRetryUs', -1, /exitRetryUs .* got -1/],
    ['noTradeSignalMinIntervalUs', '1s', /noTradeSignalMinIntervalUs .* got "1s"/],
  ])('refuses %s = %s, naming the field and the value', (field, value, message) => {
    expect(() => validateHunterConfig({ [field]: value })).toThrow(message);
  });

  it('refuses unknown fields, so a typo cannot fall back to a default', () => {
    expect(() => validateHunterConfig({ windowMs: 1000 })).toThrow(/unknown field 'windowMs' \(value 1000\)/);
  });

  it('refuses a window that does not divide into whole-µs buckets', () => {
    expect(() => validateHunterConfig({ windowUs: 1_000_001, windowBuckets: 10 })).toThrow(/windowUs=1000001 windowBuckets=10/);
  });

  it('refuses a non-object', () => {
    expect(() => validateHunterConfig(null)).toThrow(/must be an object, got null/);
    expect(() => validateHunterConfig([1])).toThrow(/must be an object, got \[1\]/);
    expect(() => validateHunterConfig('x')).toThrow(/must be an object, got "x"/);
  });
});

describe('SimpleLiquidationHunter construction', () => {
  it('validates its config', () => {
    expect(() => new SimpleLiquidationHunter(new RecordingOutput(), [SPEC], { burstK: -1, orderSizeLots: 2 })).toThrow(/burstK/);
  });

  it('refuses an order size below an instrument minimum', () => {
    expect(() => new SimpleLiquidationHunter(new RecordingOutput(), [SPEC], { orderSizeLots: 1 }))
      .toThrow(/orderSizeLots=1 is below TEST-USDT-SWAP minSizeLots=2/);
  });

  it('refuses an empty instrument list', () => {
    expect(() => new SimpleLiquidationHunter(new RecordingOutput(), [], {})).toThrow(/instruments must not be empty/);
  });

  it('ignores events for instruments it has no spec for', () => {
    const h = new SimpleLiquidationHunter(new RecordingOutput(), [SPEC], { orderSizeLots: 2 });
    h.onFeedState(0, 0, 0);
    h.onFeedState(99, 0, 0);
    expect(h.ignoredEvents).toBe(2);
    expect(h.strategyId).toBe(DEFAULT_HUNTER_CONFIG.strategyId);
  });
});
