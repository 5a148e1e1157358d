/**
 * The sweep's grid file: bad grids are refused with the offending field
 * named (so `qhft sweep` can exit 2 before any worker starts), and good ones
 * expand into a fixed, reproducible list of tasks.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { countTasks, expandTasks, GridError, loadGridFile, parameterSets, parseGrid } from '../../src/research/sweep-grid.ts';
import { DEFAULT_CONFIG } from '../../src/core/config/engine-config.ts';

const INPUTS = { synthetic: { seeds: [1], durationS: 5 } };

function refusal(grid: unknown): GridError {
  try {
    parseGrid(grid);
  } catch (err) {
    expect(err).toBeInstanceOf(GridError);
    return err as GridError;
  }
  throw new Error('grid was accepted');
}

describe('sweep grid validation', () => {
  it.each([
    ['a non-object grid', [], 'grid'],
    ['an unknown top-level key', { inputs: INPUTS, grids: {} }, 'grid.grids'],
    ['missing inputs', { grid: {} }, 'grid.inputs'],
    ['an empty seed list', { inputs: { synthetic: { seeds: [], durationS: 5 } } }, 'grid.inputs.synthetic.seeds'],
    ['a fractional seed', { inputs: { synthetic: { seeds: [1, 2.5], durationS: 5 } } }, 'grid.inputs.synthetic.seeds[1]'],
    ['a missing duration', { inputs: { synthetic: { seeds: [1] } } }, 'grid.inputs.synthetic.durationS'],
    ['an unknown symbol', { inputs: { synthetic: { seeds: [1], durationS: 5, symbols: ['DOGE-EUR'] } } }, 'grid.inputs.synthetic.symbols[0]'],
    ['a recording that cannot be opened', { inputs: { recordings: ['/nonexistent/x.rec'] } }, 'grid.inputs.recordings[0]'],
    ['an unknown section', { inputs: INPUTS, grid: { 'strategyx.burstK': [1] } }, 'grid.grid.strategyx.burstK'],
    ['an unknown strategy field', { inputs: INPUTS, grid: { 'strategy.windowMs': [1] } }, 'grid.grid.strategy.windowMs'],
    ['an empty value list', { inputs: INPUTS, grid: { 'strategy.burstK': [] } }, 'grid.grid.strategy.burstK'],
    ['a value out of range', { inputs: INPUTS, grid: { 'strategy.burstK': [3, -1] } }, 'grid.grid.strategy.burstK[1]'],
    ['a wrong type', { inputs: INPUTS, grid: { 'strategy.orderSizeLots': ['two'] } }, 'grid.grid.strategy.orderSizeLots[0]'],
    ['an object value', { inputs: INPUTS, grid: { 'strategy.burstK': [{ a: 1 }] } }, 'grid.grid.strategy.burstK[0]'],
    ['a bad queue model', { inputs: INPUTS, grid: { 'venue.queueModel': ['fifo'] } }, 'grid.grid.venue.queueModel[0]'],
    ['a bad risk value', { inputs: INPUTS, grid: { 'risk.maxOpenOrders': [0.5] } }, 'grid.grid.risk.maxOpenOrders[0]'],
    ['a reserved field', { inputs: INPUTS, grid: { 'synthetic.seed': [1, 2] } }, 'grid.grid.synthetic.seed'],
    ['a bad base value', { inputs: INPUTS, base: { strategy: { burstK: 0 } } }, 'grid.base.strategy'],
    ['an unknown base section', { inputs: INPUTS, base: { engine: {} } }, 'grid.base.engine'],
    ['grid and random together', { inputs: INPUTS, grid: {}, random: { budget: 2, params: { 'strategy.burstK': { min: 1, max: 2 } } } }, 'grid.random'],
    ['a zero budget', { inputs: INPUTS, random: { budget: 0, params: { 'strategy.burstK': { min: 1, max: 2 } } } }, 'grid.random.budget'],
    ['a random range below the rule', { inputs: INPUTS, random: { budget: 2, params: { 'strategy.burstK': { min: 0, max: 2 } } } }, 'grid.random.params.strategy.burstK.min'],
    ['a bad band model', { inputs: INPUTS, bands: { queueModels: ['optimistic', 'lifo'] } }, 'grid.bands.queueModels[1]'],
    ['a negative band latency', { inputs: INPUTS, bands: { addedEntryLatencyUs: [-5] } }, 'grid.bands.addedEntryLatencyUs[0]'],
    ['a zero sampling interval', { inputs: INPUTS, sampleS: 0 }, 'grid.sampleS'],
  ])('refuses %s, naming the field', (_what, grid, field) => {
    const e = refusal(grid);
    expect(e.field).toBe(field);
    expect(e.message.startsWith(`${field}: `)).toBe(true);
  });

  it('accepts a cross-field combination it cannot judge alone (the task reports it)', () => {
    // 3_000_000 % 128 ≠ 0: the hunter refuses it when a task builds it, not the grid.
    const g = parseGrid({ inputs: INPUTS, base: { strategy: { windowUs: 3_000_000 } }, grid: { 'strategy.windowBuckets': [10, 128] } });
    expect(countTasks(g)).toBe(2);
  });

  it('expands a grid as a Cartesian product, last key fastest, merged over the engine defaults', () => {
    const g = parseGrid({ inputs: { synthetic: { seeds: [1, 2], durationS: 5 } }, base: { strategy: { burstK: 4 } }, grid: { 'strategy.minMoveBps': [5, 10], 'venue.queueModel': ['pro-rata', 'pessimistic'] } });
    expect(parameterSets(g)).toEqual([
      { 'strategy.minMoveBps': 5, 'venue.queueModel': 'pro-rata' },
      { 'strategy.minMoveBps': 5, 'venue.queueModel': 'pessimistic' },
      { 'strategy.minMoveBps': 10, 'venue.queueModel': 'pro-rata' },
      { 'strategy.minMoveBps': 10, 'venue.queueModel': 'pessimistic' },
    ]);
    const tasks = expandTasks(g);
    expect(tasks).toHaveLength(8);
    expect(tasks.map((t) => t.taskId)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(tasks[3]!.spec.seed).toBe(2);
    // base and grid override the engine's default strategy section field by field; the rest is kept.
    expect(tasks[3]!.spec.strategy).toMatchObject({ burstK: 4, minMoveBps: 5, warmupUs: DEFAULT_CONFIG.strategy.warmupUs });
    expect(tasks[3]!.spec.venue.queueModel).toBe('pessimistic');
  });

  it('adds six fill-model bands per parameter set and input (--bands)', () => {
    const g = parseGrid({ inputs: INPUTS, base: { venue: { entryLatencyUs: 100 } } }, { bands: true });
    const tasks = expandTasks(g);
    expect(tasks.map((t) => t.band)).toEqual(['optimistic+0ms', 'optimistic+5ms', 'pro-rata+0ms', 'pro-rata+5ms', 'pessimistic+0ms', 'pessimistic+5ms']);
    expect(tasks.map((t) => t.spec.venue.entryLatencyUs)).toEqual([100, 5100, 100, 5100, 100, 5100]);
  });

  it('draws a random search reproducibly from its seed, within the ranges', () => {
    const grid = { inputs: INPUTS, random: { budget: 20, seed: 9, params: { 'strategy.burstK': { min: 2, max: 8 }, 'strategy.orderSizeLots': { min: 1, max: 3, int: true }, 'strategy.entryOrderType': { values: ['ioc', 'limit'] } } } };
    const a = parameterSets(parseGrid(grid));
    expect(parameterSets(parseGrid(grid))).toEqual(a);
    expect(a).toHaveLength(20);
    for (const s of a) {
      expect(s['strategy.burstK']).toBeGreaterThanOrEqual(2);
      expect(s['strategy.burstK']).toBeLessThanOrEqual(8);
      expect([1, 2, 3]).toContain(s['strategy.orderSizeLots']);
      expect(['ioc', 'limit']).toContain(s['strategy.entryOrderType']);
    }
    expect(new Set(a.map((s) => s['strategy.orderSizeLots'])).size).toBeGreaterThan(1);
  });
});

describe('grid files: JSON or YAML', () => {
  function withFile<T>(name: string, text: string, f: (path: string) => T): T {
    const dir = mkdtempSync(join(tmpdir(), 'qhft-grid-'));
    try {
      const path = join(dir, name);
      writeFileSync(path, text);
      return f(path);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  function loadError(name: string, text: string): string {
    return withFile(name, text, (path) => {
      try {
        loadGridFile(path);
      } catch (err) {
        expect(err).toBeInstanceOf(GridError);
        return (err as Error).message;
      }
      throw new Error('grid file was accepted');
    });
  }

  it('the shipped YAML example expands to the same tasks as the JSON one', () => {
    const fromYaml = expandTasks(loadGridFile('examples/sweep-hunter.yaml'));
    const fromJson = expandTasks(loadGridFile('examples/sweep-hunter.json'));
    expect(fromYaml).toHaveLength(8);
    expect(fromYaml).toEqual(fromJson);
  });

  it('names the line of a YAML syntax error and refuses duplicate keys', () => {
    expect(loadError('g.yaml', 'inputs:\n  synthetic: {seeds: [1], durationS: 5\ngrid: {}\n')).toMatch(/--grid: .*g\.yaml is not valid YAML \(line 3, column 1\)/);
    expect(loadError('g.yml', 'name: a\nname: b\ninputs: {synthetic: {seeds: [1], durationS: 5}}\n')).toMatch(/is not valid YAML \(line 2, column 1\): Map keys must be unique/);
    expect(loadError('g.json', '{"inputs": ')).toMatch(/g\.json is not valid JSON/);
  });

  it('YAML 1.2 core: `yes` and `1_000` stay strings, so the field check names them', () => {
    expect(loadError('g.yaml', 'inputs:\n  synthetic: {seeds: [1], durationS: 1_000}\n')).toMatch(/grid\.inputs\.synthetic\.durationS: .*got "1_000"/);
    expect(loadError('g.yaml', 'inputs: {synthetic: {seeds: [1], durationS: 5}}\nbands: yes\n')).toMatch(/^grid\.bands: /);
  });
});
