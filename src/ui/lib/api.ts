/**
 * REST calls to the monitor's HTTP API (same origin). Reads are open to
 * localhost; a remote browser, and kill / re-arm, need the token, which the
 * UI asks for and keeps in memory only (never in the URL or storage).
 */
import { signal } from '@preact/signals';

/** The token the user typed this session (memory only). */
export const sessionToken = signal('');

export class ApiError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

async function request<T>(path: string, init: RequestInit = {}, token = sessionToken.value): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json', ...(init.headers as Record<string, string> | undefined) };
  if (token) headers.authorization = `Bearer ${token}`;
  const res = await fetch(path, { ...init, headers, cache: 'no-store' });
  const text = await res.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    throw new ApiError(res.status, `bad JSON from ${path}`);
  }
  if (!res.ok) throw new ApiError(res.status, (body as { error?: string } | null)?.error ?? `HTTP ${res.status}`);
  return body as T;
}

export const getJson = <T>(path: string) => request<T>(path);

export function postCommand<T>(path: '/api/kill' | '/api/rearm', reason: string, token: string): Promise<T> {
  return request<T>(path, { method: 'POST', body: JSON.stringify({ reason }), headers: { 'content-type': 'application/json' } }, token);
}
