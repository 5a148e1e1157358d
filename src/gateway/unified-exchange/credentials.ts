/**
 * Exchange API keys: loading (environment or a 0600 secret file) and
 * redaction of anything secret from text that may be logged.
 *
 * Role: start-up helper of UnifiedExchange. Owning thread: main; cold.
 * Keys never appear in an error message, a log line or `util.inspect` of
 * the holder: errors name the variable or the file path and mode, never a
 * value. RISK-CONTROLS §5: paper mode needs no keys; otherwise OKX demo keys
 * (read-only, no withdraw, IP-bound), from env or a secret file, rotated.
 */
import { readFileSync, statSync } from 'node:fs';
import { ConfigError } from '../../core/config/config-error.ts';

export interface ExchangeCredentials {
  readonly apiKey: string;
  readonly secret: string;
  readonly passphrase: string;
}

export const OKX_KEY_ENV = {
  apiKey: 'QHFT_OKX_API_KEY',
  secret: 'QHFT_OKX_SECRET',
  passphrase: 'QHFT_OKX_PASSPHRASE',
} as const;

/** Env var naming a secret file, used when no explicit path is given. */
export const OKX_SECRET_FILE_ENV = 'QHFT_OKX_SECRET_FILE';

/**
 * Reads `{"apiKey","secret","passphrase"}` (JSON) or `KEY=VALUE` lines using
 * the QHFT_OKX_* names from `path`. Refuses a file that group or others can
 * read or write (mode & 0o077), naming the path and its mode.
 */
export function readSecretFile(path: string): ExchangeCredentials {
  let mode: number;
  try {
    mode = statSync(path).mode;
  } catch (e) {
    throw new ConfigError('okx.secretFile', path, `a readable secret file (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  const perm = mode & 0o777;
  if ((perm & 0o077) !== 0) {
    throw new ConfigError(
      'okx.secretFile',
      path,
      `a file only its owner can access: mode is 0${perm.toString(8)}, must be 0600 (chmod 600 ${path})`,
    );
  }
  const text = readFileSync(path, 'utf8');
  let fields: Record<string, unknown>;
  if (text.trimStart().startsWith('{')) {
    try {
      fields = JSON.parse(text) as Record<string, unknown>;
    } catch {
      // Never echo the content: it is the secret.
      throw new ConfigError('okx.secretFile', path, 'valid JSON {"apiKey","secret","passphrase"} (parse error; content not shown)');
    }
  } else {
    fields = {};
    for (const line of text.split(/\r?\n/)) {
      const m = /^\s*([A-Z_]+)\s*=\s*(.*?)\s*$/.exec(line);
      if (m === null) continue;
      if (m[1] === OKX_KEY_ENV.apiKey) fields.apiKey = m[2];
      else if (m[1] === OKX_KEY_ENV.secret) fields.secret = m[2];
      else if (m[1] === OKX_KEY_ENV.passphrase) fields.passphrase = m[2];
    }
  }
  const missing = (['apiKey', 'secret', 'passphrase'] as const).filter((k) => typeof fields[k] !== 'string' || fields[k] === '');
  if (missing.length > 0) throw new ConfigError('okx.secretFile', path, `a file with non-empty ${missing.join(', ')}`);
  return { apiKey: fields.apiKey as string, secret: fields.secret as string, passphrase: fields.passphrase as string };
}

/** Keys from `secretFile` if given (or QHFT_OKX_SECRET_FILE), else from QHFT_OKX_API_KEY / _SECRET / _PASSPHRASE. */
export function loadCredentials(env: NodeJS.ProcessEnv, secretFile?: string): ExchangeCredentials {
  const file = secretFile ?? env[OKX_SECRET_FILE_ENV];
  if (file !== undefined && file !== '') return readSecretFile(file);
  const apiKey = env[OKX_KEY_ENV.apiKey];
  const secret = env[OKX_KEY_ENV.secret];
  const passphrase = env[OKX_KEY_ENV.passphrase];
  const missing = [
    [OKX_KEY_ENV.apiKey, apiKey],
    [OKX_KEY_ENV.secret, secret],
    [OKX_KEY_ENV.passphrase, passphrase],
  ].filter(([, v]) => v === undefined || v === '').map(([k]) => k);
  if (missing.length > 0) {
    throw new ConfigError('okx.credentials', `missing ${missing.join(', ')}`, `OKX demo keys in ${Object.values(OKX_KEY_ENV).join(' / ')} or a 0600 secret file (${OKX_SECRET_FILE_ENV})`);
  }
  return { apiKey: apiKey!, secret: secret!, passphrase: passphrase! };
}

const HEADER_RE = /(OK-ACCESS-(?:KEY|SIGN|PASSPHRASE|TIMESTAMP)["']?\s*[:=]\s*["']?)([^"',\s}]+)/gi;

/**
 * Removes secrets from text: the values of OK-ACCESS-* headers (in any
 * `name: value` / `"name":"value"` form) and every literal occurrence of the
 * given secret strings.
 */
export function redactSecrets(text: string, secrets: readonly string[] = []): string {
  let out = text.replace(HEADER_RE, '$1***');
  for (const s of secrets) {
    if (s.length >= 4) out = out.split(s).join('***');
  }
  return out;
}
