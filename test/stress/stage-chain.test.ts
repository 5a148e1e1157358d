/**
 * Stress: source → 4 forwarding stage workers → sink, each on its own
 * worker_thread, joined by Block-policy SAB rings, using the real stage
 * bootstrap (stage-host / stage-worker). Every message carries a sequence
 * number and checksum: 0 lost, 0 duplicated, 0 reordered, 0 corrupted.
 * Six threads on a 2-core machine: spin-then-park is mandatory here.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createRing } from '../../src/core/ring/index.ts';
import { StageState } from '../../src/core/stage/control-block.ts';
import { startStage, stopStagesInOrder, type StageHandle } from '../../src/core/stage/stage-host.ts';

const COUNT = Number(process.env.QHFT_STRESS_CHAIN_COUNT ?? 10_000_000);
const helper = (name: string) => new URL(`./helpers/${name}.ts`, import.meta.url);

let stages: StageHandle[] = [];
afterEach(async () => {
  await Promise.all(stages.map((s) => s.worker.terminate()));
  stages = [];
});

describe('stage chain with real worker threads', () => {
  it(`moves ${COUNT.toLocaleString('en')} variable-length messages through 4 stage workers with 0 lost, dup, reordered or corrupted`, async () => {
    const rings = Array.from({ length: 5 }, (_, i) => ({ name: `hop${i}`, sab: createRing({ capacityBytes: 1 << 18, name: `hop${i}` }) }));
    const idle = { kind: 'spin-park', spinUs: 50, maxParkMs: 5 } as const;
    const source = startStage({ name: 'source', module: helper('chain-source-stage'), inputs: [], outputs: [rings[0]!], idle, params: { count: COUNT } });
    const forwards = [0, 1, 2, 3].map((i) =>
      startStage({ name: `forward${i}`, module: helper('chain-forward-stage'), inputs: [rings[i]!], outputs: [rings[i + 1]!], idle }),
    );
    const sink = startStage({ name: 'sink', module: helper('chain-sink-stage'), inputs: [rings[4]!], outputs: [], idle });
    stages = [source, ...forwards, sink];
    await Promise.all(stages.map((s) => s.ready));
    const t0 = performance.now();
    for (const s of stages) s.start();

    // Wait until the sink has handled every message (or a stage failed).
    while (sink.workCount() < COUNT) {
      const failed = stages.find((s) => s.fatalError !== undefined || s.state() === StageState.Failed);
      if (failed) throw new Error(`stage ${failed.name} failed: ${(await failed.exited).error}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    const seconds = (performance.now() - t0) / 1000;
    const exits = await stopStagesInOrder(stages, 10_000);
    for (const e of exits) expect(e, `stage ${e.name}`).toEqual({ name: e.name, code: 0 });
    for (const s of stages) expect(s.state()).toBe(StageState.Stopped);

    expect(source.lastReport).toEqual({ produced: COUNT });
    expect(sink.lastReport).toEqual({ received: COUNT, inOrder: COUNT, duplicated: 0, reordered: 0, gaps: 0, corrupted: 0 });
    console.log(`stage chain: ${COUNT} msgs through 4 hops in ${seconds.toFixed(2)} s (${(COUNT / seconds / 1e6).toFixed(2)} M msgs/s)`);
  });

  it('reports a stage that throws as failed, with its name and error, and exits non-zero', async () => {
    const ring = { name: 'in', sab: createRing({ capacityBytes: 1 << 12, name: 'in' }) };
    const bad = startStage({
      name: 'thrower',
      module: new URL('./helpers/throwing-stage.ts', import.meta.url),
      inputs: [ring],
      outputs: [],
      idle: { kind: 'spin-park' },
    });
    stages = [bad];
    await bad.ready;
    bad.start();
    const exit = await bad.exited;
    expect(exit.code).not.toBe(0);
    expect(exit.error).toMatch(/stage thrower: Error: boom on purpose/);
    expect(bad.state()).toBe(StageState.Failed);
  });

  it('fails `ready` when the stage module does not export createStage', async () => {
    const bad = startStage({ name: 'empty', module: new URL('./helpers/chain-message.ts', import.meta.url), inputs: [], outputs: [], idle: { kind: 'blocking' } });
    stages = [bad];
    await expect(bad.ready).rejects.toThrow(/does not export createStage/);
  });
});
