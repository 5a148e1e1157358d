/**
 * The pipeline's shape as data: which threads run which stages, and which
 * rings join them (size, backpressure policy, producer, consumer).
 * `qhft run --explain` prints it; ProductionEngine builds it. Cold path.
 *
 *  dedicated (one worker per stage):
 *
 *   feed ──md──▶ sanitizer ──md.strategy──▶ strategy ──orders──▶ risk ──approved──▶ execution
 *                   │  │                     ▲   ▲                ▲  ▲                 │ │ │
 *                   │  └──md.execution───────┼───┼────────────────┼──┼─────────────────┘ │ │
 *                   └─────md.risk (top of book, mark, feed state)─┘  │                   │ │
 *                                            │   └──denials──────────┘(risk→strategy)    │ │
 *                                            └──────────────exec.strategy (fills)────────┘ │
 *                                                                 └──exec.risk (fills)─────┘
 *   every stage ──events──▶ main (summary, monitor, writer)      main ──control──▶ risk (kill/re-arm)
 *
 *  fused: the same rings and stage code; sanitizer, strategy, risk and
 *  execution are polled in that order by one hot worker ("core"), so the
 *  inner rings never cross a thread.
 */
import { BackpressurePolicy } from '../ring/index.ts';
import type { TopologyKind } from '../config/engine-config.ts';

export type StageName = 'feed' | 'sanitizer' | 'strategy' | 'risk' | 'execution';

export interface RingPlan {
  readonly name: string;
  readonly from: StageName | 'main';
  readonly to: StageName | 'main';
  readonly capacityBytes: number;
  readonly policy: BackpressurePolicy;
  readonly carries: string;
}

export interface ThreadPlan {
  /** Thread name (worker name `qhft-<name>`). */
  readonly name: string;
  /** Stages it runs, in polling order. */
  readonly stages: readonly StageName[];
  /** True for threads that poll rings in a loop (count against cores). */
  readonly hot: boolean;
}

export interface TopologyPlan {
  readonly kind: TopologyKind;
  readonly threads: readonly ThreadPlan[];
  readonly rings: readonly RingPlan[];
}

const MiB = 1 << 20;
const KiB = 1 << 10;

/** Rings are the same in both topologies: only the thread assignment differs. */
export const RINGS: readonly RingPlan[] = [
  { name: 'md', from: 'feed', to: 'sanitizer', capacityBytes: 4 * MiB, policy: BackpressurePolicy.Block, carries: 'raw market data (book, trades, liquidations, funding, mark)' },
  { name: 'md.strategy', from: 'sanitizer', to: 'strategy', capacityBytes: 4 * MiB, policy: BackpressurePolicy.Block, carries: 'sanitized market data' },
  { name: 'md.execution', from: 'sanitizer', to: 'execution', capacityBytes: 4 * MiB, policy: BackpressurePolicy.Block, carries: 'sanitized market data for the paper venue' },
  { name: 'md.risk', from: 'sanitizer', to: 'risk', capacityBytes: 1 * MiB, policy: BackpressurePolicy.Block, carries: 'top of book, mark price, feed state' },
  { name: 'orders', from: 'strategy', to: 'risk', capacityBytes: 1 * MiB, policy: BackpressurePolicy.Block, carries: 'SubmitOrder, CancelOrder' },
  { name: 'approved', from: 'risk', to: 'execution', capacityBytes: 1 * MiB, policy: BackpressurePolicy.Block, carries: 'risk-approved orders and cancels' },
  { name: 'risk.strategy', from: 'risk', to: 'strategy', capacityBytes: 1 * MiB, policy: BackpressurePolicy.Block, carries: 'OrderDenied' },
  { name: 'exec.strategy', from: 'execution', to: 'strategy', capacityBytes: 1 * MiB, policy: BackpressurePolicy.Block, carries: 'order updates, fills' },
  { name: 'exec.risk', from: 'execution', to: 'risk', capacityBytes: 1 * MiB, policy: BackpressurePolicy.Block, carries: 'order updates, fills' },
  { name: 'control', from: 'main', to: 'risk', capacityBytes: 64 * KiB, policy: BackpressurePolicy.Block, carries: 'kill switch, re-arm' },
  { name: 'events.sanitizer', from: 'sanitizer', to: 'main', capacityBytes: 4 * MiB, policy: BackpressurePolicy.Block, carries: 'data-quality events' },
  { name: 'events.strategy', from: 'strategy', to: 'main', capacityBytes: 8 * MiB, policy: BackpressurePolicy.Block, carries: 'signals (incl. no-trade reasons)' },
  { name: 'events.risk', from: 'risk', to: 'main', capacityBytes: 8 * MiB, policy: BackpressurePolicy.Block, carries: 'risk decisions, risk events' },
  { name: 'events.execution', from: 'execution', to: 'main', capacityBytes: 8 * MiB, policy: BackpressurePolicy.Block, carries: 'order updates, fills, positions' },
  { name: 'resync', from: 'sanitizer', to: 'feed', capacityBytes: 64 * KiB, policy: BackpressurePolicy.Block, carries: 'book resync requests (lossy when full: one is enough)' },
  { name: 'ui.book', from: 'sanitizer', to: 'main', capacityBytes: 1 * MiB, policy: BackpressurePolicy.DropOldest, carries: 'sanitized market data sample for the monitor (lossy)' },
];

export function planTopology(kind: TopologyKind): TopologyPlan {
  const threads: ThreadPlan[] =
    kind === 'dedicated'
      ? [
          { name: 'feed', stages: ['feed'], hot: true },
          { name: 'sanitizer', stages: ['sanitizer'], hot: true },
          { name: 'strategy', stages: ['strategy'], hot: true },
          { name: 'risk', stages: ['risk'], hot: true },
          { name: 'execution', stages: ['execution'], hot: true },
        ]
      : [
          { name: 'feed', stages: ['feed'], hot: true },
          { name: 'core', stages: ['sanitizer', 'strategy', 'risk', 'execution'], hot: true },
        ];
  return { kind, threads, rings: RINGS };
}

/** Rings a stage consumes, in the order it polls them (feedback before commands). */
export function inputsOf(stage: StageName): RingPlan[] {
  return RINGS.filter((r) => r.to === stage);
}

export function outputsOf(stage: StageName): RingPlan[] {
  return RINGS.filter((r) => r.from === stage);
}

function bytes(n: number): string {
  return n >= MiB ? `${n / MiB} MiB` : `${n / KiB} KiB`;
}

/** Human-readable topology for `--explain`. */
export function explainTopology(plan: TopologyPlan, idleByThread: ReadonlyMap<string, string>): string {
  const lines: string[] = [];
  lines.push(`topology: ${plan.kind}`);
  lines.push('threads:');
  lines.push('  main        (event loop) config, supervision, summary, monitor, collects events');
  for (const t of plan.threads) {
    lines.push(`  ${t.name.padEnd(11)} (worker)     stages: ${t.stages.join(' → ')}; wait strategy: ${idleByThread.get(t.name) ?? '?'}`);
  }
  lines.push('  writer      (worker)     batches rows to MySQL or the journal');
  lines.push('rings (SPSC, SharedArrayBuffer):');
  for (const r of plan.rings) {
    const policy = r.policy === BackpressurePolicy.Block ? 'block' : r.policy === BackpressurePolicy.DropOldest ? 'drop-oldest' : 'drop-newest';
    lines.push(`  ${r.name.padEnd(17)} ${`${r.from} → ${r.to}`.padEnd(24)} ${bytes(r.capacityBytes).padStart(7)}  ${policy.padEnd(11)} ${r.carries}`);
  }
  return lines.join('\n');
}
