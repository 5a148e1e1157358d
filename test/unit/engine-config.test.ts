import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/core/config/config-error.ts';
import { parseDurationUs } from '../../src/core/config/duration.ts';
import { DEFAULT_CONFIG, envName, loadEngineConfig, parseArgv } from '../../src/core/config/engine-config.ts';

const load = (argv: string[], env: Record<string, string> = {}) => loadEngineConfig(parseArgv(argv), env);

describe('engine config', () => {
  it('runs out of the box on defaults: synthetic market, wall clock, dedicated topology, monitor on 127.0.0.1:8080', () => {
    const c = load([]);
    expect(c).toMatchObject({ source: 'synthetic', clock: 'wall', topology: 'dedicated', http: true, httpHost: '127.0.0.1', httpPort: 8080, durationUs: null });
    expect(c.symbols).toEqual(['BTC-USDT-SWAP', 'ETH-USDT-SWAP']);
  });

  it('applies file < env < flags precedence', () => {
    const dir = mkdtempSync(join(tmpdir(), 'qhft-cfg-'));
    const file = join(dir, 'c.json');
    writeFileSync(file, JSON.stringify({ seed: 5, httpPort: 9000, topology: 'fused', risk: { maxPositionLots: 3 } }));
    const c = load(['--config', file, '--http-port', '9100'], { QHFT_HTTP_PORT: '9050', QHFT_SEED: '6' });
    expect(c.seed).toBe(6); // env beats file
    expect(c.httpPort).toBe(9100); // flag beats env
    expect(c.topology).toBe('fused'); // file beats default
    expect(c.risk).toMatchObject({ maxPositionLots: 3 });
  });

  it('parses the contract flags', () => {
    const c = load(['--source', 'okx', '--symbols', 'BTC-USDT-SWAP', '--duration', '30s', '--clock=sim', '--no-http', '--summary-json', 's.json', '--okx-ws-url', 'ws://127.0.0.1:1/ws/v5/public']);
    expect(c).toMatchObject({ source: 'okx', symbols: ['BTC-USDT-SWAP'], durationUs: 30_000_000, clock: 'sim', http: false, summaryJson: 's.json', okxWsUrl: 'ws://127.0.0.1:1/ws/v5/public' });
  });

  it.each([
    [['--duration', 'soon'], /invalid --duration: "soon"/],
    [['--topology', 'star'], /invalid --topology: "star" \(expected one of dedicated\|fused\)/],
    [['--http-port', '70000'], /invalid --http-port: "70000"/],
    [['--seed', '1.5'], /invalid --seed: "1.5" \(expected an integer\)/],
    [['--bogus', '1'], /invalid --bogus/],
    [['--source', 'replay'], /--replay-file/],
    [['--symbols', 'btc usdt'], /invalid --symbols: "btc usdt"/],
  ])('refuses %j naming the field and value', (argv, message) => {
    expect(() => load(argv)).toThrow(ConfigError);
    expect(() => load(argv)).toThrow(message);
  });

  it('names the environment variable when an env value is bad', () => {
    expect(() => load([], { QHFT_RATE: '-5' })).toThrow(/QHFT_RATE/);
  });

  it('refuses unknown keys and non-object sections in the config file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'qhft-cfg-'));
    const f1 = join(dir, 'a.json');
    writeFileSync(f1, JSON.stringify({ colour: 'blue' }));
    expect(() => load(['--config', f1])).toThrow(/invalid config.colour: "blue" \(unknown key/);
    const f2 = join(dir, 'b.json');
    writeFileSync(f2, '{ not json');
    expect(() => load(['--config', f2])).toThrow(/invalid --config: .*cannot read JSON config/);
  });

  it('derives env var names from flags', () => {
    expect(envName('okx-ws-url')).toBe('QHFT_OKX_WS_URL');
    expect(envName('mysql-url')).toBe('QHFT_MYSQL_URL');
  });

  it('parses durations with units', () => {
    expect(parseDurationUs('250ms')).toBe(250_000);
    expect(parseDurationUs('1.5m')).toBe(90_000_000);
    expect(parseDurationUs('2')).toBe(2_000_000);
    expect(parseDurationUs('-1s')).toBeNaN();
    expect(parseDurationUs('0s')).toBeNaN();
  });

  it('keeps the defaults frozen', () => {
    expect(Object.isFrozen(DEFAULT_CONFIG)).toBe(true);
  });
});
