/**
 * A configuration problem found at start-up. The message always names the
 * field and the offending value; the CLI prints it and exits with code 2
 * before anything is started.
 */
export class ConfigError extends Error {
  readonly field: string;
  constructor(field: string, value: unknown, expectation: string) {
    super(`invalid ${field}: ${describeValue(value)} (${expectation})`);
    this.name = 'ConfigError';
    this.field = field;
  }
}

export function describeValue(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (v === undefined) return 'missing';
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}
