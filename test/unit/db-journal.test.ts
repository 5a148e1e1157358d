import { mkdtempSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HEADER_BYTES, Journal, parseFsyncPolicy, RECORD_HEADER_BYTES, scanJournal } from '../../src/gateway/db/journal.ts';
import { decodeBatch, encodeBatch, TABLES } from '../../src/gateway/db/tables.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'qhft-journal-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function payloads(n: number): string[] {
  return Array.from({ length: n }, (_, i) => JSON.stringify({ i, text: `record-${i}-${'x'.repeat(i % 7)}` }));
}

describe('Journal', () => {
  it('replays appended records in order and survives reopen', () => {
    const path = join(dir, 'a.journal');
    const j = Journal.open(path, { fsync: 'never' });
    const ps = payloads(50);
    for (const p of ps) j.append(p);
    expect(j.records).toBe(50);
    expect(j.readFrom().map((r) => r.payload.toString())).toEqual(ps);
    j.close();
    const k = Journal.open(path);
    expect(k.records).toBe(50);
    expect(k.recoveredTail).toBeNull();
    k.append('after-reopen');
    expect(k.readFrom().map((r) => r.payload.toString())).toEqual([...ps, 'after-reopen']);
    k.close();
  });

  it('reads from an offset, so a replay resumes after the last committed record', () => {
    const path = join(dir, 'b.journal');
    const j = Journal.open(path, { fsync: 'never' });
    const ends = payloads(5).map((p) => j.append(p));
    expect(j.readFrom(ends[2]!).map((r) => r.payload.toString())).toEqual(payloads(5).slice(3));
    j.close();
  });

  it('truncate drops all records and keeps a valid header', () => {
    const path = join(dir, 'c.journal');
    const j = Journal.open(path, { fsync: 'always' });
    for (const p of payloads(10)) j.append(p);
    j.truncate();
    expect(j.records).toBe(0);
    expect(j.sizeBytes).toBe(HEADER_BYTES);
    expect(statSync(path).size).toBe(HEADER_BYTES);
    j.append('fresh');
    j.close();
    expect(scanJournal(path).records.map((r) => r.payload.toString())).toEqual(['fresh']);
  });

  it('keeps the valid prefix when the file is cut mid-record (crash mid-write)', () => {
    const path = join(dir, 'd.journal');
    const j = Journal.open(path, { fsync: 'never' });
    const ps = payloads(20);
    const ends = ps.map((p) => j.append(p));
    j.close();
    // Cut inside the payload of record 15, and (second case) inside a record header.
    truncateSync(path, ends[14]! + RECORD_HEADER_BYTES + 3);
    const scan = scanJournal(path);
    expect(scan.records.map((r) => r.payload.toString())).toEqual(ps.slice(0, 15));
    expect(scan.tail?.reason).toBe('short-payload');
    truncateSync(path, ends[14]! + 5);
    expect(scanJournal(path).tail?.reason).toBe('short-header');

    const k = Journal.open(path);
    expect(k.records).toBe(15);
    expect(k.recoveredTail).toMatchObject({ offset: ends[14], reason: 'short-header', bytes: 5 });
    expect(existsSync(`${path}.corrupt-${ends[14]}`)).toBe(true);
    k.append('next');
    expect(k.readFrom().map((r) => r.payload.toString())).toEqual([...ps.slice(0, 15), 'next']);
    k.close();
  });

  it('detects a corrupted CRC and stops at the bad record', () => {
    const path = join(dir, 'e.journal');
    const j = Journal.open(path, { fsync: 'never' });
    const ps = payloads(10);
    const ends = ps.map((p) => j.append(p));
    j.close();
    const bytes = readFileSync(path);
    bytes[ends[5]! + RECORD_HEADER_BYTES + 2]! ^= 0xff; // flip a payload byte of record 6
    writeFileSync(path, bytes);
    const scan = scanJournal(path);
    expect(scan.tail).toMatchObject({ offset: ends[5], reason: 'crc' });
    expect(scan.records.map((r) => r.payload.toString())).toEqual(ps.slice(0, 6));
  });

  it('rejects a file that is not a journal, or a newer format version', () => {
    const path = join(dir, 'f.journal');
    writeFileSync(path, 'hello, not a journal at all');
    expect(() => Journal.open(path)).toThrow(/not a qhft journal/);
    const j = Journal.open(join(dir, 'g.journal'));
    j.close();
    const b = readFileSync(join(dir, 'g.journal'));
    b.writeUInt32LE(99, 8);
    writeFileSync(join(dir, 'g.journal'), b);
    expect(() => Journal.open(join(dir, 'g.journal'))).toThrow(/format version 99/);
  });

  it('accepts the three fsync policies and rejects anything else', () => {
    for (const fsync of ['always', 'interval', 'never'] as const) {
      const j = Journal.open(join(dir, `${fsync}.journal`), { fsync, fsyncIntervalMs: 5 });
      j.append('x');
      expect(j.fsync).toBe(fsync);
      j.close();
    }
    expect(parseFsyncPolicy('interval')).toBe('interval');
    expect(() => parseFsyncPolicy('sometimes')).toThrow(/always \| interval \| never, got "sometimes"/);
    expect(() => Journal.open(join(dir, 'h.journal'), { fsync: 'sometimes' as never })).toThrow(/fsync policy/);
    expect(() => Journal.open(join(dir, 'i.journal'), { fsync: 'interval', fsyncIntervalMs: 0 })).toThrow(/fsyncIntervalMs/);
  });
});

describe('batch journal payload', () => {
  it('round-trips a batch and maps older column lists by name', () => {
    const cols = TABLES.fills.columns;
    const row = cols.map((_, i) => i);
    const b = decodeBatch(encodeBatch({ chunks: [{ table: 'fills', columns: cols, rows: [row] }], rows: 1 }));
    expect(b).toEqual({ chunks: [{ table: 'fills', columns: cols, rows: [row] }], rows: 1 });
    // A journal written when `fee_quote` did not exist yet: loads with NULL there.
    const older = cols.filter((c) => c !== 'fee_quote');
    const old = decodeBatch(JSON.stringify({ v: 1, b: [['fills', older, [older.map(() => 7)]]] }));
    expect(old.chunks[0]!.rows[0]![cols.indexOf('fee_quote')]).toBeNull();
    expect(() => decodeBatch(JSON.stringify({ v: 1, b: [['nope', [], []]] }))).toThrow(/unknown table "nope"/);
  });
});
