/** Connection state of the monitor WebSocket (written by useWebSocket only). */
import { signal } from '@preact/signals';

export type ConnState = 'connecting' | 'open' | 'closed';

export const connState = signal<ConnState>('connecting');
/** Successful re-connections since the page loaded. */
export const reconnects = signal(0);
/** Next retry delay while disconnected, ms. */
export const retryInMs = signal(0);
/** Binary frames per second received (updated once a second). */
export const framesPerSec = signal(0);
/** Records per second received (updated once a second). */
export const recordsPerSec = signal(0);
/** Malformed frames / records seen. */
export const decodeErrors = signal(0);
/** Last control-channel error from the server. */
export const serverError = signal('');
