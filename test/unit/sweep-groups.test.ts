/**
 * groupTasks: which sweep tasks are replayed together (one feed and
 * sanitizer, a lane each). Only tasks of one market stream may share a
 * group, every task is in exactly one, and the groups spread over the threads.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { replayStreamKey } from '../../src/research/replay-runner.ts';
import { expandTasks, parseGrid } from '../../src/research/sweep-grid.ts';
import { DEFAULT_MAX_GROUP, groupTasks } from '../../src/research/sweep.ts';

function tasksOf(seeds: number[], sets: number, spikes: number[]) {
  return expandTasks(
    parseGrid({
      inputs: { synthetic: { seeds, durationS: 1 } },
      grid: { 'strategy.minMoveBps': Array.from({ length: sets }, (_, i) => 5 + i), 'sanitizer.spikeThresholdBps': spikes },
    }),
  );
}

describe('groupTasks', () => {
  it('groups only tasks of one stream, keeps every task once and in order within its stream, and sizes groups to the threads', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 1, max: 50 }), { minLength: 1, maxLength: 3 }),
        fc.integer({ min: 1, max: 12 }),
        fc.uniqueArray(fc.constantFrom(500, 1000, 2000), { minLength: 1, maxLength: 2 }),
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 1, max: 10 }),
        (seeds, sets, spikes, threads, maxGroup) => {
          const tasks = tasksOf(seeds, sets, spikes);
          const groups = groupTasks(tasks, threads, maxGroup);
          expect(groups.flat().map((t) => t.taskId).sort((x, y) => x - y)).toEqual(tasks.map((t) => t.taskId));
          const perStream = new Map<string, number>();
          for (const t of tasks) perStream.set(replayStreamKey(t.spec), (perStream.get(replayStreamKey(t.spec)) ?? 0) + 1);
          for (const g of groups) {
            expect(g.length).toBeGreaterThan(0);
            expect(g.length).toBeLessThanOrEqual(maxGroup);
            expect(new Set(g.map((t) => replayStreamKey(t.spec))).size).toBe(1);
            // Within a stream, consecutive task ids.
            for (let i = 1; i < g.length; i++) expect(g[i]!.taskId).toBeGreaterThan(g[i - 1]!.taskId);
            const n = perStream.get(replayStreamKey(g[0]!.spec))!;
            expect(g.length).toBeLessThanOrEqual(Math.max(1, Math.ceil(n / threads)));
          }
          // A stream with at least `threads` tasks gives every thread a group.
          for (const [key, n] of perStream) if (n >= threads) expect(groups.filter((g) => replayStreamKey(g[0]!.spec) === key).length).toBeGreaterThanOrEqual(Math.min(threads, Math.ceil(n / maxGroup)));
        },
      ),
      { numRuns: 60, seed: 7 },
    );
  });

  it('defaults to groups of at most DEFAULT_MAX_GROUP, and 1 puts every task alone', () => {
    const tasks = tasksOf([1], 20, [1000]);
    expect(groupTasks(tasks, 1).map((g) => g.length)).toEqual([DEFAULT_MAX_GROUP, DEFAULT_MAX_GROUP, 20 - 2 * DEFAULT_MAX_GROUP]);
    expect(groupTasks(tasks, 4).map((g) => g.length)).toEqual([5, 5, 5, 5]);
    expect(groupTasks(tasks, 4, 1)).toHaveLength(20);
  });
});
