import { describe, expect, it } from 'vitest';
import { Side } from '../../src/core/domain/enums.ts';
import {
  SIGNAL_REASON_TABLE,
  SignalDecision,
  SignalEvent,
  SignalReason,
  formatSignal,
  signalDecisionName,
  signalDecisionOf,
  signalReasonName,
} from '../../src/core/strategies/signal.ts';

describe('SignalReason codes', () => {
  it('are unique, with unique SCREAMING_CASE names that fit the signals.reason column', () => {
    const codes = SIGNAL_REASON_TABLE.map(([c]) => c);
    const names = SIGNAL_REASON_TABLE.map(([, n]) => n);
    expect(new Set(codes).size).toBe(codes.length);
    expect(new Set(names).size).toBe(names.length);
    for (const n of names) {
      expect(n).toMatch(/^[A-Z][A-Z_]*$/);
      expect(n.length).toBeLessThanOrEqual(64);
    }
    for (const c of codes) expect(c).toBeLessThan(65_536); // wire reason_code is uint16
  });

  it('keep their stable values', () => {
    expect(SignalReason.BurstBelowThreshold).toBe(1);
    expect(SignalReason.PriceMoveTooSmall).toBe(3);
    expect(SignalReason.Cooldown).toBe(6);
    expect(SignalReason.FeedNotOk).toBe(7);
    expect(SignalReason.PositionOpen).toBe(8);
    expect(SignalReason.EnterFadeSellBurst).toBe(32);
    expect(SignalReason.ExitTakeProfit).toBe(48);
    expect(SignalReason.ExitStopLoss).toBe(49);
    expect(SignalReason.ExitTimeStop).toBe(50);
    expect(SignalReason.CancelEntryTimeout).toBe(64);
  });

  it('have names and unknown codes render as UNKNOWN_n', () => {
    expect(signalReasonName(SignalReason.Cooldown)).toBe('COOLDOWN');
    expect(signalReasonName(SignalReason.EnterFadeSellBurst)).toBe('ENTER_FADE_SELL_BURST');
    expect(signalReasonName(999)).toBe('UNKNOWN_999');
    expect(signalDecisionName(SignalDecision.Exit)).toBe('EXIT');
    expect(signalDecisionName(9)).toBe('UNKNOWN_9');
  });

  it('imply their decision by group', () => {
    for (const [code, name] of SIGNAL_REASON_TABLE) {
      const d = signalDecisionOf(code);
      if (name.startsWith('ENTER_')) expect(d).toBe(SignalDecision.Enter);
      else if (name.startsWith('EXIT_') && code >= 48) expect(d).toBe(SignalDecision.Exit);
      else if (name.startsWith('CANCEL_')) expect(d).toBe(SignalDecision.Cancel);
      else expect(d).toBe(SignalDecision.NoTrade);
    }
  });
});

describe('SignalEvent', () => {
  it('copies every field and resets to zero', () => {
    const a = new SignalEvent();
    let k = 1;
    for (const key of Object.keys(a) as (keyof SignalEvent)[]) {
      (a as unknown as Record<string, number>)[key] = k++;
    }
    const b = new SignalEvent();
    b.copyFrom(a);
    expect(b).toEqual(a);
    b.reset();
    expect(b).toEqual(new SignalEvent());
  });

  it('formats for logs', () => {
    const s = new SignalEvent();
    s.signalId = 12;
    s.reason = SignalReason.Cooldown;
    s.side = Side.Buy;
    expect(formatSignal(s)).toContain('signal#12 inst=0 NO_TRADE COOLDOWN side=buy');
  });
});
