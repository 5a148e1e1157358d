/**
 * The engine's one configuration schema: file (`--config FILE`, JSON) <
 * environment (`QHFT_*`) < command-line flags, validated field by field at
 * start-up. A bad value is refused with a ConfigError naming the field and
 * the value, before any thread starts. Cold path.
 *
 * Every flag has an environment variable: `--okx-ws-url` ↔ `QHFT_OKX_WS_URL`.
 * Sections for the components (`strategy`, `risk`, `sanitizer`, `venue`,
 * `synthetic`) come from the file only and are validated by each component's
 * own validator when the engine builds it.
 */
import { readFileSync } from 'node:fs';
import { ConfigError, describeValue } from './config-error.ts';
import { parseDurationUs } from './duration.ts';

export type SourceKind = 'synthetic' | 'okx' | 'replay';
export type ClockKind = 'wall' | 'sim';
export type TopologyKind = 'dedicated' | 'fused';
export type IdleChoice = 'auto' | 'busy-spin' | 'spin-park' | 'blocking';

export interface EngineConfig {
  source: SourceKind;
  symbols: string[];
  /** null = run until SIGINT/SIGTERM. Simulated time with `clock: 'sim'`. */
  durationUs: number | null;
  seed: number;
  /** Offered market-event rate (events/s) of the synthetic source. */
  rateEventsPerS: number;
  replayFile: string | null;
  /** Replay speed multiplier; Infinity = as fast as possible. */
  replaySpeed: number;
  record: string | null;
  summaryJson: string | null;
  hdrDir: string | null;
  http: boolean;
  httpHost: string;
  httpPort: number;
  mysqlUrl: string | null;
  journalDir: string;
  okxWsUrl: string;
  okxRestUrl: string;
  clock: ClockKind;
  topology: TopologyKind;
  idle: IdleChoice;
  explain: boolean;
  noTrade: boolean;
  /** Component sections (validated by their owners). */
  strategy: Record<string, unknown>;
  risk: Record<string, unknown>;
  sanitizer: Record<string, unknown>;
  venue: Record<string, unknown>;
  synthetic: Record<string, unknown>;
}

type Kind = 'string' | 'int' | 'number' | 'bool' | 'duration' | 'list' | 'enum' | 'speed';

interface FieldSpec {
  /** Key in EngineConfig and in the config file. */
  key: keyof EngineConfig;
  /** Command-line flag without dashes; its env var is QHFT_ + upper snake case. */
  flag: string;
  kind: Kind;
  values?: readonly string[];
  min?: number;
  max?: number;
  help: string;
}

export const FIELDS: readonly FieldSpec[] = [
  { key: 'source', flag: 'source', kind: 'enum', values: ['synthetic', 'okx', 'replay'], help: 'market data source' },
  { key: 'symbols', flag: 'symbols', kind: 'list', help: 'comma-separated instruments, e.g. BTC-USDT-SWAP,ETH-USDT-SWAP' },
  { key: 'durationUs', flag: 'duration', kind: 'duration', help: 'run time, e.g. 30s, 5m (absent: until SIGINT/SIGTERM)' },
  { key: 'seed', flag: 'seed', kind: 'int', min: 0, max: 2 ** 32 - 1, help: 'seed of the synthetic market' },
  { key: 'rateEventsPerS', flag: 'rate', kind: 'number', min: 1, max: 10_000_000, help: 'synthetic events per second' },
  { key: 'replayFile', flag: 'replay-file', kind: 'string', help: 'recording to replay (--source replay)' },
  { key: 'replaySpeed', flag: 'speed', kind: 'speed', help: 'replay speed: 1, 10, ... or max' },
  { key: 'record', flag: 'record', kind: 'string', help: 'record sanitizer input to this file' },
  { key: 'summaryJson', flag: 'summary-json', kind: 'string', help: 'write the run summary JSON here at exit' },
  { key: 'hdrDir', flag: 'hdr-dir', kind: 'string', help: 'write each latency histogram as a .hgrm file here' },
  { key: 'http', flag: 'http', kind: 'bool', help: 'serve the monitor (--no-http to disable)' },
  { key: 'httpHost', flag: 'http-host', kind: 'string', help: 'monitor bind address' },
  { key: 'httpPort', flag: 'http-port', kind: 'int', min: 0, max: 65535, help: 'monitor port' },
  { key: 'mysqlUrl', flag: 'mysql-url', kind: 'string', help: 'mysql://user:pass@host:port/db' },
  { key: 'journalDir', flag: 'journal-dir', kind: 'string', help: 'where the writer journals rows' },
  { key: 'okxWsUrl', flag: 'okx-ws-url', kind: 'string', help: 'OKX public WebSocket URL' },
  { key: 'okxRestUrl', flag: 'okx-rest-url', kind: 'string', help: 'OKX REST base URL' },
  { key: 'clock', flag: 'clock', kind: 'enum', values: ['wall', 'sim'], help: 'wall = paced to the clock, sim = as fast as possible' },
  { key: 'topology', flag: 'topology', kind: 'enum', values: ['dedicated', 'fused'], help: 'one worker per stage, or one hot worker' },
  { key: 'idle', flag: 'idle', kind: 'enum', values: ['auto', 'busy-spin', 'spin-park', 'blocking'], help: 'stage wait strategy' },
  { key: 'explain', flag: 'explain', kind: 'bool', help: 'print the topology and exit' },
  { key: 'noTrade', flag: 'no-trade', kind: 'bool', help: 'run the feed (and record) without trading' },
];

export const DEFAULT_CONFIG: Readonly<EngineConfig> = Object.freeze({
  source: 'synthetic',
  symbols: ['BTC-USDT-SWAP', 'ETH-USDT-SWAP'],
  durationUs: null,
  seed: 1,
  rateEventsPerS: 5_000,
  replayFile: null,
  replaySpeed: Infinity,
  record: null,
  summaryJson: null,
  hdrDir: null,
  http: true,
  httpHost: '127.0.0.1',
  httpPort: 8080,
  mysqlUrl: null,
  journalDir: '.qhft/journal',
  okxWsUrl: 'wss://ws.okx.com:8443/ws/v5/public',
  okxRestUrl: 'https://www.okx.com',
  clock: 'wall',
  topology: 'dedicated',
  idle: 'auto',
  explain: false,
  noTrade: false,
  // Demo-friendly defaults: the synthetic market jumps (and liquidates) about
  // every 1.5 s per instrument and the hunter warms up in 1 s with a lower
  // bar (3x baseline, 10 bps), so a fresh `npm start` trades within seconds.
  // A config file's sections override these field by field.
  strategy: { warmupUs: 1_000_000, baselineHalfLifeUs: 60_000_000, windowUs: 5_000_000, cooldownUs: 10_000_000, timeStopUs: 15_000_000, minBurstNotionalQuote: 20_000, minMoveBps: 10, burstK: 3 },
  risk: {},
  sanitizer: {},
  venue: {},
  synthetic: { jumpsPerHour: 2400 },
}) as EngineConfig;

const SECTIONS = ['strategy', 'risk', 'sanitizer', 'venue', 'synthetic'] as const;

export function envName(flag: string): string {
  return `QHFT_${flag.replace(/-/g, '_').toUpperCase()}`;
}

function coerce(spec: FieldSpec, raw: unknown, where: string): unknown {
  const field = `${where}${spec.flag}`;
  const text = typeof raw === 'string' ? raw.trim() : raw;
  switch (spec.kind) {
    case 'string':
      if (raw === null) return null;
      if (typeof text !== 'string' || text.length === 0) throw new ConfigError(field, raw, 'expected a non-empty string');
      return text;
    case 'enum':
      if (typeof text !== 'string' || !spec.values!.includes(text)) throw new ConfigError(field, raw, `expected one of ${spec.values!.join('|')}`);
      return text;
    case 'bool':
      if (typeof text === 'boolean') return text;
      if (text === 'true' || text === '1' || text === 'yes') return true;
      if (text === 'false' || text === '0' || text === 'no') return false;
      throw new ConfigError(field, raw, 'expected true or false');
    case 'int':
    case 'number': {
      const n = typeof text === 'number' ? text : typeof text === 'string' && text !== '' ? Number(text) : NaN;
      if (!Number.isFinite(n) || (spec.kind === 'int' && !Number.isInteger(n))) throw new ConfigError(field, raw, `expected ${spec.kind === 'int' ? 'an integer' : 'a number'}`);
      if ((spec.min !== undefined && n < spec.min) || (spec.max !== undefined && n > spec.max)) throw new ConfigError(field, raw, `expected ${spec.min} ≤ value ≤ ${spec.max}`);
      return n;
    }
    case 'duration': {
      if (raw === null) return null;
      const us = typeof text === 'number' ? text * 1e6 : typeof text === 'string' ? parseDurationUs(text) : NaN;
      if (!(us > 0) || !Number.isFinite(us)) throw new ConfigError(field, raw, 'expected a positive duration such as 30s, 500ms, 5m');
      return Math.round(us);
    }
    case 'speed': {
      if (text === 'max' || text === Infinity) return Infinity;
      const n = typeof text === 'number' ? text : typeof text === 'string' ? Number(text) : NaN;
      if (!(n > 0) || !Number.isFinite(n)) throw new ConfigError(field, raw, 'expected a positive number or "max"');
      return n;
    }
    case 'list': {
      const items = Array.isArray(text) ? text : typeof text === 'string' ? text.split(',') : null;
      if (items === null) throw new ConfigError(field, raw, 'expected a comma-separated list');
      const out = items.map((s) => String(s).trim()).filter((s) => s.length > 0);
      if (out.length === 0) throw new ConfigError(field, raw, 'expected at least one item');
      for (const s of out) if (!/^[A-Z0-9]+(-[A-Z0-9]+)*$/.test(s)) throw new ConfigError(field, s, 'expected an instrument id such as BTC-USDT-SWAP');
      return out;
    }
  }
}

export interface ParsedArgs {
  /** Values given on the command line, by flag name (no dashes). */
  flags: Map<string, string | boolean>;
  positionals: string[];
}

/** Splits argv into `--flag value`, `--flag=value`, `--bool`, `--no-bool`. */
export function parseArgv(argv: readonly string[]): ParsedArgs {
  const flags = new Map<string, string | boolean>();
  const positionals: string[] = [];
  const boolFlags = new Set(FIELDS.filter((f) => f.kind === 'bool').map((f) => f.flag));
  const known = new Set(FIELDS.map((f) => f.flag).concat(['config', 'help']));
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith('--')) {
      positionals.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    let name = eq > 0 ? a.slice(2, eq) : a.slice(2);
    let value: string | boolean;
    if (name.startsWith('no-') && boolFlags.has(name.slice(3))) {
      name = name.slice(3);
      value = false;
    } else if (!known.has(name)) {
      throw new ConfigError(`--${name}`, a, `unknown flag; known flags: ${[...known].map((k) => `--${k}`).join(' ')}`);
    } else if (eq > 0) {
      value = a.slice(eq + 1);
    } else if (boolFlags.has(name) || name === 'help') {
      value = true;
    } else {
      const next = argv[i + 1];
      if (next === undefined || next.startsWith('--')) throw new ConfigError(`--${name}`, undefined, 'flag needs a value');
      value = next;
      i++;
    }
    flags.set(name, value);
  }
  return { flags, positionals };
}

/**
 * Builds the config: defaults < file < env < flags. Throws ConfigError.
 * `env` is passed in (not read from process.env) so tests can drive it.
 */
export function loadEngineConfig(args: ParsedArgs, env: Readonly<Record<string, string | undefined>>): EngineConfig {
  const cfg: EngineConfig = { ...DEFAULT_CONFIG, symbols: [...DEFAULT_CONFIG.symbols] };
  const defaultsOf = (k: (typeof SECTIONS)[number]) => DEFAULT_CONFIG[k];
  const fileFlag = args.flags.get('config') ?? env.QHFT_CONFIG;
  if (fileFlag !== undefined) {
    if (typeof fileFlag !== 'string') throw new ConfigError('--config', fileFlag, 'expected a file path');
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(fileFlag, 'utf8'));
    } catch (err) {
      throw new ConfigError('--config', fileFlag, `cannot read JSON config: ${(err as Error).message}`);
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new ConfigError('--config', fileFlag, 'expected a JSON object');
    const obj = parsed as Record<string, unknown>;
    const byKey = new Map(FIELDS.map((f) => [f.key as string, f]));
    for (const [k, v] of Object.entries(obj)) {
      if ((SECTIONS as readonly string[]).includes(k)) {
        if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new ConfigError(`config.${k}`, v, 'expected an object');
        // A section overrides the defaults field by field.
        (cfg as unknown as Record<string, unknown>)[k] = { ...defaultsOf(k as (typeof SECTIONS)[number]), ...(v as Record<string, unknown>) };
        continue;
      }
      const spec = byKey.get(k);
      if (!spec) throw new ConfigError(`config.${k}`, v, `unknown key; known keys: ${[...byKey.keys(), ...SECTIONS].join(', ')}`);
      (cfg as unknown as Record<string, unknown>)[spec.key] = coerce(spec, v, 'config.');
    }
  }
  for (const spec of FIELDS) {
    const e = env[envName(spec.flag)];
    if (e !== undefined && e !== '') (cfg as unknown as Record<string, unknown>)[spec.key] = coerce(spec, e, `${envName(spec.flag)} / --`);
  }
  for (const spec of FIELDS) {
    const v = args.flags.get(spec.flag);
    if (v !== undefined) (cfg as unknown as Record<string, unknown>)[spec.key] = coerce(spec, v, '--');
  }
  crossCheck(cfg);
  return cfg;
}

function crossCheck(cfg: EngineConfig): void {
  if (cfg.source === 'replay' && cfg.replayFile === null) {
    throw new ConfigError('--replay-file', null, '--source replay needs --replay-file PATH');
  }
  if (cfg.source !== 'replay' && cfg.replayFile !== null) {
    throw new ConfigError('--replay-file', cfg.replayFile, `only valid with --source replay (source is ${describeValue(cfg.source)})`);
  }
  if (cfg.record !== null && cfg.record === cfg.replayFile) {
    throw new ConfigError('--record', cfg.record, 'cannot record onto the file being replayed');
  }
}

/** Help text generated from the schema (cold). */
export function flagsHelp(): string {
  const rows = FIELDS.map((f) => {
    const name = f.kind === 'bool' ? `--${f.flag}` : `--${f.flag} ${f.kind === 'enum' ? f.values!.join('|') : f.kind.toUpperCase()}`;
    return `  ${name.padEnd(36)} ${f.help} [${envName(f.flag)}]`;
  });
  return [...rows, `  ${'--config FILE'.padEnd(36)} JSON file with any of the keys above plus strategy/risk/sanitizer/venue/synthetic sections`].join('\n');
}
