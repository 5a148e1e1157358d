// RiskConfig validation: a bad field is refused at start-up with an Error
// naming the field and the value; nothing above a fat-finger ceiling passes.
import { describe, expect, it } from 'vitest';
import { DEFAULT_INSTRUMENTS } from '../../src/core/domain/instrument.ts';
import {
  DEFAULT_RISK_CONFIG,
  DRBGuard,
  FAT_FINGER_MAX_ORDER_NOTIONAL_QUOTE,
  FAT_FINGER_MAX_PRICE_COLLAR_BPS,
  FAT_FINGER_MAX_ORDER_LOTS,
  NullRiskEventSink,
  validateRiskConfig,
  type RiskConfig,
} from '../../src/risk/index.ts';

describe('validateRiskConfig', () => {
  it('fills every missing field from the defaults and freezes the result', () => {
    const c = validateRiskConfig({});
    expect(c).toEqual(DEFAULT_RISK_CONFIG);
    expect(Object.isFrozen(c)).toBe(true);
    expect(validateRiskConfig(undefined)).toEqual(DEFAULT_RISK_CONFIG);
    expect(validateRiskConfig({ maxOpenOrders: 7 }).maxOpenOrders).toBe(7);
  });

  it.each([
    ['maxOrderNotionalQuote', 'abc', /maxOrderNotionalQuote must be a finite number, got "abc"/],
    ['maxOrderNotionalQuote', NaN, /maxOrderNotionalQuote must be a finite number, got NaN/],
    ['priceCollarBps', -5, /priceCollarBps must be > 0, got -5/],
    ['staleAfterUs', 0, /staleAfterUs must be ≥ 1, got 0/],
    ['maxOpenOrders', 2.5, /maxOpenOrders must be an integer, got 2.5/],
    ['accountEquityQuote', Infinity, /accountEquityQuote must be a finite number, got Infinity/],
    ['ordersPerWindow', null, /ordersPerWindow must be a finite number, got null/],
  ])('refuses %s = %s, naming the field and value', (field, value, msg) => {
    expect(() => validateRiskConfig({ [field]: value })).toThrow(msg);
  });

  it('refuses values above the compile-time fat-finger ceilings', () => {
    expect(() => validateRiskConfig({ maxOrderNotionalQuote: FAT_FINGER_MAX_ORDER_NOTIONAL_QUOTE + 1, maxOpenNotionalQuote: 5_000_000 })).toThrow(
      /maxOrderNotionalQuote = 1000001 is above the fat-finger ceiling 1000000/,
    );
    expect(() => validateRiskConfig({ priceCollarBps: FAT_FINGER_MAX_PRICE_COLLAR_BPS + 1 })).toThrow(/priceCollarBps = 1001 is above the fat-finger ceiling/);
    expect(() => validateRiskConfig({ defaultMaxOrderLots: FAT_FINGER_MAX_ORDER_LOTS + 1 })).toThrow(/defaultMaxOrderLots = 1000001/);
    expect(() => validateRiskConfig({ ordersPerWindow: 2_000, orderWindowUs: 1_000_000, cancelsPerWindow: 2_000 })).toThrow(/2000 orders\/s is above the fat-finger ceiling 1000/);
    expect(() => validateRiskConfig({ instrumentLimits: [{ symbol: 'BTC-USDT-SWAP', maxOrderLots: 2_000_000 }] })).toThrow(
      /instrumentLimits\[0\]\.maxOrderLots = 2000000 is above the fat-finger ceiling/,
    );
    // At the ceiling is fine.
    expect(validateRiskConfig({ maxOrderNotionalQuote: FAT_FINGER_MAX_ORDER_NOTIONAL_QUOTE, maxOpenNotionalQuote: 5_000_000 }).maxOrderNotionalQuote).toBe(
      FAT_FINGER_MAX_ORDER_NOTIONAL_QUOTE,
    );
  });

  it('refuses unknown fields (a typo must not fall back to a default)', () => {
    expect(() => validateRiskConfig({ maxOrderNotionalQuot: 5 })).toThrow(/unknown field maxOrderNotionalQuot = 5/);
    expect(() => validateRiskConfig({ instrumentLimits: [{ symbol: 'X', maxLots: 1 }] })).toThrow(/unknown field instrumentLimits\[0\]\.maxLots = 1/);
  });

  it('refuses inconsistent combinations', () => {
    expect(() => validateRiskConfig({ dailyLossLimitQuote: 500, dailyLossHaltQuote: 400 })).toThrow(/dailyLossHaltQuote \(400\) must be ≥ dailyLossLimitQuote \(500\)/);
    expect(() => validateRiskConfig({ maxOpenOrders: 300, openOrderCapacity: 256 })).toThrow(/maxOpenOrders \(300\) must be ≤ openOrderCapacity \(256\)/);
    expect(() => validateRiskConfig({ cancelsPerWindow: 50 })).toThrow(/cancel rate 50\/s .* must be ≥ order rate 100\/s/);
    expect(() => validateRiskConfig({ duplicateIntentWindowUs: 3_600_000_000 })).toThrow(/duplicateIntentWindowUs \(3600000000\)/);
    expect(() => validateRiskConfig({ instrumentLimits: [{ symbol: 'A' }, { symbol: 'A' }] })).toThrow(/symbol A is listed twice/);
    expect(() => validateRiskConfig([])).toThrow(/must be an object/);
    expect(() => validateRiskConfig({ instrumentLimits: 'x' })).toThrow(/instrumentLimits must be an array, got "x"/);
  });

  it('makes DRBGuard refuse limits for an instrument it does not know', () => {
    const cfg = validateRiskConfig({ instrumentLimits: [{ symbol: 'DOGE-USDT-SWAP', maxOrderLots: 5 }] });
    expect(() => new DRBGuard(cfg, DEFAULT_INSTRUMENTS, new NullRiskEventSink())).toThrow(/DOGE-USDT-SWAP is not a known instrument/);
  });

  it('makes DRBGuard re-validate a hand-built config', () => {
    const bad = { ...DEFAULT_RISK_CONFIG, priceCollarBps: 5_000 } as RiskConfig;
    expect(() => new DRBGuard(bad, DEFAULT_INSTRUMENTS, new NullRiskEventSink())).toThrow(/priceCollarBps = 5000/);
  });
});
