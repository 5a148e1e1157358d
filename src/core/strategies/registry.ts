/**
 * Strategy selection by name (`strategy.kind` in the config file). The
 * engine's strategy stage builds whichever strategy is named; each strategy
 * validates the rest of its own section. Cold path.
 */
import type { InstrumentSpec } from '../domain/instrument.ts';
import { LatencyProbe } from './latency-probe.ts';
import { SimpleLiquidationHunter } from './simple-liquidation-hunter.ts';
import type { Strategy, StrategyOutput } from './strategy.ts';

export type StrategyFactory = (out: StrategyOutput, instruments: readonly InstrumentSpec[], config: Record<string, unknown>) => Strategy;

const FACTORIES = new Map<string, StrategyFactory>([
  ['liquidation-hunter', (out, instruments, config) => new SimpleLiquidationHunter(out, instruments, config)],
  ['latency-probe', (out, instruments, config) => new LatencyProbe(out, instruments, config)],
]);

/** Registers another strategy under `kind` (start-up). */
export function registerStrategy(kind: string, factory: StrategyFactory): void {
  FACTORIES.set(kind, factory);
}

export function createStrategy(out: StrategyOutput, instruments: readonly InstrumentSpec[], section: Record<string, unknown>): Strategy {
  const { kind = 'liquidation-hunter', ...config } = section;
  const factory = FACTORIES.get(String(kind));
  if (!factory) throw new Error(`strategy.kind: unknown strategy ${JSON.stringify(kind)}; known: ${[...FACTORIES.keys()].join(', ')}`);
  return factory(out, instruments, config);
}
