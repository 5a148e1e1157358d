/**
 * The sweep's input file: what to replay, which parameters to vary, and how
 * — parsed, validated field by field, and expanded into tasks. Cold path
 * (once per sweep, main thread). A bad grid throws a GridError naming the
 * field (`grid.strategy.minMoveBps[1]`), and `qhft sweep` exits 2.
 * The file is JSON, or YAML when it ends in .yaml/.yml (same fields; see
 * examples/sweep-hunter.yaml).
 *
 * ```jsonc
 * {
 *   "name": "hunter",                       // optional, used in output names
 *   "inputs": {
 *     "synthetic": { "seeds": [1, 2], "durationS": 20, "rateEventsPerS": 5000, "symbols": ["BTC-USDT-SWAP"] },
 *     "recordings": ["rec/a.qrec"]          // replayed whole, frame for frame (src/feed/recording)
 *   },
 *   "base": { "strategy": {...}, "risk": {...}, "venue": {...}, "synthetic": {...}, "sanitizer": {...} },
 *   "grid":   { "strategy.minMoveBps": [10, 20], "venue.queueModel": ["pro-rata", "pessimistic"] },
 *   "random": { "budget": 16, "seed": 1, "params": {
 *       "strategy.burstK": { "min": 2, "max": 8 },
 *       "strategy.orderSizeLots": { "min": 1, "max": 3, "int": true },
 *       "strategy.entryOrderType": { "values": ["ioc", "limit"] } } },
 *   "bands": true,                           // or { "queueModels": [...], "addedEntryLatencyUs": [0, 5000] }
 *   "sampleS": 1                             // PnL sampling for Sharpe-like / drawdown
 * }
 * ```
 * `grid` (full Cartesian product) and `random` (budget draws, seeded) are
 * alternatives; with neither, the base parameters run once per input.
 * Each varied value is checked against its own field's rule (type, range) by
 * the component's validator over that component's defaults; rules that tie
 * two fields together (e.g. the hunter's windowUs % windowBuckets) are the
 * component's, checked when a task builds it — such a task fails and is
 * reported with its parameters while the sweep goes on.
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { DEFAULT_CONFIG } from '../core/config/engine-config.ts';
import { instrumentsOfRecording, knownSymbols } from '../core/engine/instruments.ts';
import { DEFAULT_SANITIZER_CONFIG, validateSanitizerConfig } from '../core/sanitizer/index.ts';
import { DEFAULT_HUNTER_CONFIG, validateHunterConfig } from '../core/strategies/hunter-config.ts';
import { DEFAULT_SYNTHETIC_CONFIG, Xoshiro128, validateSyntheticConfig } from '../feed/synthetic/index.ts';
import { DEFAULT_PAPER_VENUE_CONFIG, validatePaperVenueConfig } from '../gateway/paper-exchange/index.ts';
import { DEFAULT_RISK_CONFIG, validateRiskConfig } from '../risk/index.ts';
import { SECTIONS, sectionsOver, type ReplaySpec } from './replay-runner.ts';

export class GridError extends Error {
  constructor(
    readonly field: string,
    detail: string,
  ) {
    super(`${field}: ${detail}`);
    this.name = 'GridError';
  }
}

export type Section = (typeof SECTIONS)[number];
type Scalar = string | number | boolean;

export interface SyntheticInputs {
  seeds: number[];
  durationUs: number;
  rateEventsPerS: number;
  symbols: string[];
}

export interface RandomParam {
  min?: number;
  max?: number;
  int?: boolean;
  values?: Scalar[];
}

export interface BandSpec {
  queueModels: ('optimistic' | 'pro-rata' | 'pessimistic')[];
  addedEntryLatencyUs: number[];
}

export interface SweepGrid {
  name: string;
  synthetic: SyntheticInputs | null;
  recordings: string[];
  base: Record<Section, Record<string, unknown>>;
  grid: Map<string, Scalar[]> | null;
  random: { budget: number; seed: number; params: Map<string, RandomParam> } | null;
  bands: BandSpec | null;
  sampleUs: number;
}

/** Fill-model bands: optimistic / queue position / pessimistic × added entry latency. */
export const DEFAULT_BANDS: BandSpec = { queueModels: ['optimistic', 'pro-rata', 'pessimistic'], addedEntryLatencyUs: [0, 5_000] };

/** One (input, parameter set, band) to replay: plain data, structured-cloned into a worker. */
export interface SweepTask {
  taskId: number;
  paramSetId: number;
  /** e.g. "seed=3 20s". */
  input: string;
  /** The varied parameters, `section.field` → value (what the user chose). */
  params: Record<string, Scalar>;
  /** e.g. "pro-rata+5ms"; "" without bands. */
  band: string;
  spec: ReplaySpec;
}

const TOP_KEYS = ['name', 'inputs', 'base', 'grid', 'random', 'bands', 'sampleS'];
const MAX_TASKS = 100_000;

const DEFAULTS: Record<Section, Readonly<Record<string, unknown>>> = {
  strategy: { kind: 'liquidation-hunter', ...DEFAULT_HUNTER_CONFIG },
  risk: DEFAULT_RISK_CONFIG as unknown as Record<string, unknown>,
  sanitizer: DEFAULT_SANITIZER_CONFIG as unknown as Record<string, unknown>,
  venue: DEFAULT_PAPER_VENUE_CONFIG as unknown as Record<string, unknown>,
  synthetic: DEFAULT_SYNTHETIC_CONFIG as unknown as Record<string, unknown>,
};

/** Fields the sweep sets itself, per input: not parameters. */
const RESERVED: Record<string, string> = {
  'synthetic.seed': 'use inputs.synthetic.seeds',
  'synthetic.eventsPerSec': 'use inputs.synthetic.rateEventsPerS',
  'synthetic.startUnixUs': 'simulated time starts at a fixed instant',
};

const HUNTER = 'liquidation-hunter';

/**
 * Strategy kind of the sweep (base.strategy.kind). Only the hunter's fields
 * are known here; another registered kind validates its own section when a
 * task builds it (a bad value then fails that task, not the grid).
 */
let strategyKind = HUNTER;

function validateSection(section: Section, obj: Record<string, unknown>): void {
  switch (section) {
    case 'strategy': {
      if (strategyKind !== HUNTER) return;
      const { kind: _kind, ...rest } = obj;
      validateHunterConfig(rest);
      return;
    }
    case 'risk': validateRiskConfig(obj); return;
    case 'sanitizer': validateSanitizerConfig(obj); return;
    case 'venue': validatePaperVenueConfig(obj); return;
    case 'synthetic': validateSyntheticConfig(obj); return;
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function isScalar(v: unknown): v is Scalar {
  return typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v));
}

/** `section.field` → [section, field], refusing unknown sections and fields. */
function parseKey(key: string, where: string): [Section, string] {
  const dot = key.indexOf('.');
  const section = (dot > 0 ? key.slice(0, dot) : key) as Section;
  const field = dot > 0 ? key.slice(dot + 1) : '';
  if (!SECTIONS.includes(section) || field === '') {
    throw new GridError(where, `expected "section.field" with section one of ${SECTIONS.join('|')}, got ${JSON.stringify(key)}`);
  }
  if (section === 'strategy' && field === 'kind') throw new GridError(where, 'strategy.kind cannot be swept: set it in base.strategy');
  if (!(field in DEFAULTS[section]) && !(section === 'strategy' && strategyKind !== HUNTER)) {
    throw new GridError(where, `unknown field ${JSON.stringify(field)} in ${section}; known: ${Object.keys(DEFAULTS[section]).join(', ')}`);
  }
  if (RESERVED[key] !== undefined) throw new GridError(where, `${key} cannot be swept: ${RESERVED[key]}`);
  return [section, field];
}

/** One value against its field's own rule (over the component's defaults). */
function checkValue(section: Section, field: string, value: unknown, where: string): void {
  if (!isScalar(value)) throw new GridError(where, `expected a number, string or boolean, got ${JSON.stringify(value)}`);
  try {
    validateSection(section, { [field]: value });
  } catch (err) {
    throw new GridError(where, (err as Error).message);
  }
}

function num(v: unknown, where: string, min: number, max: number, integer = false): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max || (integer && !Number.isInteger(v))) {
    throw new GridError(where, `expected ${integer ? 'an integer' : 'a number'} in [${min}, ${max}], got ${JSON.stringify(v)}`);
  }
  return v;
}

function parseInputs(raw: unknown): { synthetic: SyntheticInputs | null; recordings: string[] } {
  if (!isObject(raw)) throw new GridError('grid.inputs', 'expected an object with "synthetic" and/or "recordings"');
  for (const k of Object.keys(raw)) if (k !== 'synthetic' && k !== 'recordings') throw new GridError(`grid.inputs.${k}`, 'unknown key; known: synthetic, recordings');
  let synthetic: SyntheticInputs | null = null;
  if (raw.synthetic !== undefined) {
    const s = raw.synthetic;
    if (!isObject(s)) throw new GridError('grid.inputs.synthetic', 'expected an object');
    for (const k of Object.keys(s)) {
      if (!['seeds', 'durationS', 'rateEventsPerS', 'symbols'].includes(k)) throw new GridError(`grid.inputs.synthetic.${k}`, 'unknown key; known: seeds, durationS, rateEventsPerS, symbols');
    }
    if (!Array.isArray(s.seeds) || s.seeds.length === 0) throw new GridError('grid.inputs.synthetic.seeds', 'expected a non-empty array of seeds');
    const seeds = s.seeds.map((v, i) => num(v, `grid.inputs.synthetic.seeds[${i}]`, 0, 2 ** 32 - 1, true));
    const durationS = num(s.durationS, 'grid.inputs.synthetic.durationS', 0.001, 7 * 86_400);
    const rate = s.rateEventsPerS === undefined ? DEFAULT_CONFIG.rateEventsPerS : num(s.rateEventsPerS, 'grid.inputs.synthetic.rateEventsPerS', 1, 10_000_000);
    let symbols = [...DEFAULT_CONFIG.symbols];
    if (s.symbols !== undefined) {
      const known = knownSymbols();
      if (!Array.isArray(s.symbols) || s.symbols.length === 0) throw new GridError('grid.inputs.synthetic.symbols', 'expected a non-empty array of instrument ids');
      symbols = s.symbols.map((v, i) => {
        if (typeof v !== 'string' || !known.includes(v)) throw new GridError(`grid.inputs.synthetic.symbols[${i}]`, `unknown instrument ${JSON.stringify(v)}; known: ${known.join(', ')}`);
        return v;
      });
    }
    synthetic = { seeds, durationUs: Math.round(durationS * 1e6), rateEventsPerS: rate, symbols };
  }
  let recordings: string[] = [];
  if (raw.recordings !== undefined) {
    if (!Array.isArray(raw.recordings)) throw new GridError('grid.inputs.recordings', 'expected an array of file paths');
    recordings = raw.recordings.map((v, i) => {
      if (typeof v !== 'string' || v === '') throw new GridError(`grid.inputs.recordings[${i}]`, 'expected a file path');
      return v;
    });
    recordings.forEach((path, i) => {
      try {
        instrumentsOfRecording(path);
      } catch (err) {
        throw new GridError(`grid.inputs.recordings[${i}]`, (err as Error).message);
      }
    });
  }
  if (synthetic === null && recordings.length === 0) throw new GridError('grid.inputs', 'needs inputs.synthetic (seeds + durationS) or inputs.recordings');
  return { synthetic, recordings };
}

function parseBands(raw: unknown): BandSpec | null {
  if (raw === undefined || raw === false) return null;
  if (raw === true) return DEFAULT_BANDS;
  if (!isObject(raw)) throw new GridError('grid.bands', 'expected true, false or { queueModels, addedEntryLatencyUs }');
  for (const k of Object.keys(raw)) if (k !== 'queueModels' && k !== 'addedEntryLatencyUs') throw new GridError(`grid.bands.${k}`, 'unknown key; known: queueModels, addedEntryLatencyUs');
  const models = raw.queueModels ?? DEFAULT_BANDS.queueModels;
  if (!Array.isArray(models) || models.length === 0) throw new GridError('grid.bands.queueModels', 'expected a non-empty array');
  models.forEach((m, i) => {
    if (m !== 'optimistic' && m !== 'pro-rata' && m !== 'pessimistic') throw new GridError(`grid.bands.queueModels[${i}]`, `expected optimistic|pro-rata|pessimistic, got ${JSON.stringify(m)}`);
  });
  const lat = raw.addedEntryLatencyUs ?? DEFAULT_BANDS.addedEntryLatencyUs;
  if (!Array.isArray(lat) || lat.length === 0) throw new GridError('grid.bands.addedEntryLatencyUs', 'expected a non-empty array of µs');
  const added = lat.map((v, i) => num(v, `grid.bands.addedEntryLatencyUs[${i}]`, 0, 60_000_000));
  return { queueModels: models as BandSpec['queueModels'], addedEntryLatencyUs: added };
}

/** Parses and validates a grid object. Throws GridError naming the field. */
export function parseGrid(raw: unknown, opts: { bands?: boolean } = {}): SweepGrid {
  if (!isObject(raw)) throw new GridError('grid', 'expected a JSON object');
  for (const k of Object.keys(raw)) if (!TOP_KEYS.includes(k)) throw new GridError(`grid.${k}`, `unknown key; known: ${TOP_KEYS.join(', ')}`);
  const name = raw.name === undefined ? 'sweep' : raw.name;
  if (typeof name !== 'string' || !/^[A-Za-z0-9._-]{1,64}$/.test(name)) throw new GridError('grid.name', 'expected 1–64 characters of [A-Za-z0-9._-]');
  const { synthetic, recordings } = parseInputs(raw.inputs);

  const baseRaw = raw.base ?? {};
  if (!isObject(baseRaw)) throw new GridError('grid.base', 'expected an object of sections');
  const overrides: Partial<Record<Section, Record<string, unknown>>> = {};
  const kind = isObject(baseRaw.strategy) ? (baseRaw.strategy.kind ?? HUNTER) : HUNTER;
  if (typeof kind !== 'string' || kind === '') throw new GridError('grid.base.strategy.kind', `expected a strategy name, got ${JSON.stringify(kind)}`);
  strategyKind = kind;
  for (const [k, v] of Object.entries(baseRaw)) {
    if (!SECTIONS.includes(k as Section)) throw new GridError(`grid.base.${k}`, `unknown section; known: ${SECTIONS.join(', ')}`);
    if (!isObject(v)) throw new GridError(`grid.base.${k}`, 'expected an object');
    for (const f of Object.keys(v)) if (!(k === 'strategy' && f === 'kind')) parseKey(`${k}.${f}`, `grid.base.${k}.${f}`);
    overrides[k as Section] = v;
  }
  const base = sectionsOver(overrides);
  for (const s of SECTIONS) {
    try {
      validateSection(s, base[s]);
    } catch (err) {
      throw new GridError(`grid.base.${s}`, (err as Error).message);
    }
  }

  let grid: Map<string, Scalar[]> | null = null;
  if (raw.grid !== undefined) {
    if (!isObject(raw.grid)) throw new GridError('grid.grid', 'expected an object of "section.field": [values]');
    grid = new Map();
    for (const [key, values] of Object.entries(raw.grid)) {
      const [section, field] = parseKey(key, `grid.grid.${key}`);
      if (!Array.isArray(values) || values.length === 0) throw new GridError(`grid.grid.${key}`, 'expected a non-empty array of values');
      values.forEach((v, i) => checkValue(section, field, v, `grid.grid.${key}[${i}]`));
      grid.set(key, values as Scalar[]);
    }
  }

  let random: SweepGrid['random'] = null;
  if (raw.random !== undefined) {
    if (grid !== null) throw new GridError('grid.random', 'use either "grid" or "random", not both');
    const r = raw.random;
    if (!isObject(r)) throw new GridError('grid.random', 'expected { budget, seed, params }');
    for (const k of Object.keys(r)) if (!['budget', 'seed', 'params'].includes(k)) throw new GridError(`grid.random.${k}`, 'unknown key; known: budget, seed, params');
    const budget = num(r.budget, 'grid.random.budget', 1, MAX_TASKS, true);
    const seed = r.seed === undefined ? 1 : num(r.seed, 'grid.random.seed', 0, 2 ** 32 - 1, true);
    if (!isObject(r.params) || Object.keys(r.params).length === 0) throw new GridError('grid.random.params', 'expected a non-empty object of "section.field": { min, max, int? } | { values }');
    const params = new Map<string, RandomParam>();
    for (const [key, p] of Object.entries(r.params)) {
      const where = `grid.random.params.${key}`;
      const [section, field] = parseKey(key, where);
      if (!isObject(p)) throw new GridError(where, 'expected { min, max, int? } or { values: [...] }');
      for (const k of Object.keys(p)) if (!['min', 'max', 'int', 'values'].includes(k)) throw new GridError(`${where}.${k}`, 'unknown key; known: min, max, int, values');
      if (p.values !== undefined) {
        if (!Array.isArray(p.values) || p.values.length === 0) throw new GridError(`${where}.values`, 'expected a non-empty array');
        p.values.forEach((v, i) => checkValue(section, field, v, `${where}.values[${i}]`));
        params.set(key, { values: p.values as Scalar[] });
      } else {
        const min = num(p.min, `${where}.min`, -Number.MAX_VALUE, Number.MAX_VALUE);
        const max = num(p.max, `${where}.max`, min, Number.MAX_VALUE);
        if (p.int !== undefined && typeof p.int !== 'boolean') throw new GridError(`${where}.int`, 'expected true or false');
        const int = p.int === true;
        if (int && (!Number.isInteger(min) || !Number.isInteger(max))) throw new GridError(where, 'int ranges need integer min and max');
        checkValue(section, field, min, `${where}.min`);
        checkValue(section, field, max, `${where}.max`);
        params.set(key, { min, max, int });
      }
    }
    random = { budget, seed, params };
  }

  let bands = parseBands(raw.bands);
  if (opts.bands === true && bands === null) bands = DEFAULT_BANDS;
  const sampleS = raw.sampleS === undefined ? 1 : num(raw.sampleS, 'grid.sampleS', 0.001, 86_400);
  const parsed: SweepGrid = { name, synthetic, recordings, base, grid, random, bands, sampleUs: Math.round(sampleS * 1e6) };
  const n = countTasks(parsed);
  if (n > MAX_TASKS) throw new GridError('grid', `expands to ${n} tasks (max ${MAX_TASKS}); narrow the grid or use random with a budget`);
  return parsed;
}

const YAML_FILE = /\.ya?ml$/i;

/** Reads, parses and validates a grid file: YAML when it ends in .yaml/.yml, else JSON. */
export function loadGridFile(path: string, opts: { bands?: boolean } = {}): SweepGrid {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new GridError('--grid', `cannot read ${path}: ${(err as Error).message}`);
  }
  let raw: unknown;
  if (YAML_FILE.test(path)) {
    try {
      // YAML 1.2 core schema: `yes`/`no` and `1_000` stay strings, so the
      // field's own check names them instead of a silent true or 1000.
      raw = parseYaml(text, { schema: 'core', uniqueKeys: true, prettyErrors: true });
    } catch (err) {
      const where = err instanceof YAMLParseError && err.linePos ? ` (line ${err.linePos[0].line}, column ${err.linePos[0].col})` : '';
      throw new GridError('--grid', `${path} is not valid YAML${where}: ${(err as Error).message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')}`);
    }
  } else {
    try {
      raw = JSON.parse(text);
    } catch (err) {
      throw new GridError('--grid', `${path} is not valid JSON: ${(err as Error).message}`);
    }
  }
  return parseGrid(raw, opts);
}

function paramSetCount(g: SweepGrid): number {
  if (g.random !== null) return g.random.budget;
  if (g.grid === null) return 1;
  let n = 1;
  for (const v of g.grid.values()) n *= v.length;
  return n;
}

function inputCount(g: SweepGrid): number {
  return (g.synthetic?.seeds.length ?? 0) + g.recordings.length;
}

export function countTasks(g: SweepGrid): number {
  const bands = g.bands === null ? 1 : g.bands.queueModels.length * g.bands.addedEntryLatencyUs.length;
  return paramSetCount(g) * inputCount(g) * bands;
}

/** The parameter sets, in a fixed order (grid: last key varies fastest; random: seeded draws). */
export function parameterSets(g: SweepGrid): Record<string, Scalar>[] {
  if (g.random !== null) {
    const rng = new Xoshiro128(g.random.seed);
    const out: Record<string, Scalar>[] = [];
    for (let k = 0; k < g.random.budget; k++) {
      const set: Record<string, Scalar> = {};
      for (const [key, p] of g.random.params) {
        if (p.values !== undefined) set[key] = p.values[Math.min(p.values.length - 1, Math.floor(rng.uniform() * p.values.length))]!;
        else if (p.int === true) set[key] = p.min! + Math.min(p.max! - p.min!, Math.floor(rng.uniform() * (p.max! - p.min! + 1)));
        else set[key] = p.min! + rng.uniform() * (p.max! - p.min!);
      }
      out.push(set);
    }
    return out;
  }
  let sets: Record<string, Scalar>[] = [{}];
  if (g.grid === null) return sets;
  for (const [key, values] of g.grid) {
    const next: Record<string, Scalar>[] = [];
    for (const s of sets) for (const v of values) next.push({ ...s, [key]: v });
    sets = next;
  }
  return sets;
}

function bandLabel(model: string, addedUs: number): string {
  return `${model}+${addedUs / 1000}ms`;
}

/** Expands a grid into tasks: for each parameter set, each input, each band. */
export function expandTasks(g: SweepGrid): SweepTask[] {
  const tasks: SweepTask[] = [];
  const sets = parameterSets(g);
  const syn = g.synthetic;
  const inputs = [
    ...(syn?.seeds ?? []).map((seed) => ({ recording: null, seed, label: `seed=${seed} ${syn!.durationUs / 1e6}s` })),
    ...g.recordings.map((path) => ({ recording: path, seed: 0, label: path })),
  ];
  sets.forEach((params, paramSetId) => {
    const sections = {} as Record<Section, Record<string, unknown>>;
    for (const s of SECTIONS) sections[s] = { ...g.base[s] };
    for (const [key, v] of Object.entries(params)) {
      const dot = key.indexOf('.');
      sections[key.slice(0, dot) as Section][key.slice(dot + 1)] = v;
    }
    for (const input of inputs) {
      const bands: { label: string; venue: Record<string, unknown> }[] =
        g.bands === null
          ? [{ label: '', venue: sections.venue }]
          : g.bands.queueModels.flatMap((m) =>
              g.bands!.addedEntryLatencyUs.map((add) => ({
                label: bandLabel(m, add),
                venue: { ...sections.venue, queueModel: m, entryLatencyUs: Number(sections.venue.entryLatencyUs ?? 0) + add },
              })),
            );
      for (const b of bands) {
        tasks.push({
          taskId: tasks.length,
          paramSetId,
          input: input.label,
          params,
          band: b.label,
          spec: {
            recording: input.recording,
            symbols: syn?.symbols ?? [],
            seed: input.seed,
            durationUs: syn?.durationUs ?? 0,
            rateEventsPerS: syn?.rateEventsPerS ?? DEFAULT_CONFIG.rateEventsPerS,
            ...sections,
            venue: b.venue,
            sampleUs: g.sampleUs,
          },
        });
      }
    }
  });
  return tasks;
}
