/**
 * The monitor's access token: 256 random bits, hex, in a 0600 file.
 *
 * Role: generated at first start (printed once), read on later starts; every
 * non-localhost request and every kill / re-arm must carry it
 * (`Authorization: Bearer <token>` or the `bearer.<token>` WebSocket
 * subprotocol, never a query string: OWASP notes those land in logs).
 * Owning thread: main. Cold (start-up, then a constant-time compare per
 * authenticated request).
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export const TOKEN_PATTERN = /^[0-9a-f]{64}$/;

export interface LoadedToken {
  token: string;
  /** True when this call created the file (the caller prints it once). */
  created: boolean;
}

/** Reads the token file, creating it (mode 0600, parent 0700) when absent. Throws with the path on a bad file. */
export function loadOrCreateToken(file: string): LoadedToken {
  if (existsSync(file)) {
    const token = readFileSync(file, 'utf8').trim();
    if (!TOKEN_PATTERN.test(token)) {
      throw new Error(`monitor token file ${file} does not hold a 64-hex-digit token; delete it to generate a new one`);
    }
    const mode = statSync(file).mode & 0o777;
    if ((mode & 0o077) !== 0) chmodSync(file, 0o600); // tighten a copied file rather than refuse
    return { token, created: false };
  }
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const token = randomBytes(32).toString('hex');
  writeFileSync(file, token + '\n', { mode: 0o600, flag: 'wx' });
  return { token, created: true };
}

/** Constant-time comparison of a presented token with the expected one. */
export function tokenMatches(expected: Buffer, presented: string): boolean {
  if (presented.length !== expected.length) return false;
  return timingSafeEqual(expected, Buffer.from(presented, 'utf8'));
}
