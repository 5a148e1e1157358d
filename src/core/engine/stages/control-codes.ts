/**
 * Commands the main thread sends to the risk stage on the `control` ring,
 * carried as RiskEvent messages with these codes (above every DRBGuard
 * event code). Cold: a human presses a button.
 */
export const enum ControlCode {
  /** Engage the kill switch: deny all entry, cancel every working order. */
  Kill = 900,
  /** A human re-arms after a kill or a halt. */
  Rearm = 901,
  /** Shutdown: cancel every working order (the engine is stopping). */
  CancelAll = 902,
}
