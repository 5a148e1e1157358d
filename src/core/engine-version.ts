/**
 * The engine's version (package.json), recorded with every run and sweep
 * written to the database. Cold: read once per call at start-up or exit.
 */
import { readFileSync } from 'node:fs';

export function engineVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string };
    return pkg.version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}
