/**
 * Per-stage control block: a tiny SharedArrayBuffer through which the main
 * thread and one stage worker talk without messages.
 *
 *   Int32 slot (×4 bytes)
 *   ┌───────┬────────────────┬───────────┬──────────┬──────────┬─────────┐
 *   │ 0     │ 1              │ 2         │ 3        │ 4        │ 5       │
 *   │ state │ stop requested │ heartbeat │ errors   │ loops    │ work    │
 *   └───────┴────────────────┴───────────┴──────────┴──────────┴─────────┘
 *   Float64 slot 4 (byte 32): shared-epoch µs of the last heartbeat.
 *
 * Written by: state/heartbeat/errors/loops/work ← worker; stop ← main.
 * Read by anyone, lock-free. Heartbeat is a counter the worker bumps at most
 * every HEARTBEAT_EVERY_US; the main thread declares the stage hung when the
 * counter stops moving for longer than its heartbeat timeout.
 */

export const enum StageState {
  Starting = 0,
  Ready = 1,
  Running = 2,
  Draining = 3,
  Stopped = 4,
  Failed = 5,
}

export const CTRL_STATE = 0;
export const CTRL_STOP = 1;
export const CTRL_HEARTBEAT = 2;
export const CTRL_ERRORS = 3;
export const CTRL_LOOPS = 4;
export const CTRL_WORK = 5;
/** Index into the Float64Array view. */
export const CTRL_F64_HEARTBEAT_US = 4;
export const CONTROL_BLOCK_BYTES = 64;

/** How often the worker bumps its heartbeat (µs). */
export const HEARTBEAT_EVERY_US = 10_000;

export function createControlBlock(): SharedArrayBuffer {
  return new SharedArrayBuffer(CONTROL_BLOCK_BYTES);
}

export function stageStateName(s: StageState): string {
  switch (s) {
    case StageState.Starting: return 'starting';
    case StageState.Ready: return 'ready';
    case StageState.Running: return 'running';
    case StageState.Draining: return 'draining';
    case StageState.Stopped: return 'stopped';
    case StageState.Failed: return 'failed';
    default: return `unknown(${String(s)})`;
  }
}
