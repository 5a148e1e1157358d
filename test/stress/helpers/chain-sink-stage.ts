/** Stage that verifies chain messages: counts lost, duplicated, reordered, corrupted. */
import type { RecordHandler } from '../../../src/core/ring/index.ts';
import type { StageContext, StageLogic } from '../../../src/core/stage/stage-logic.ts';
import { CHAIN_MSG_TYPE, fnv1a, lengthOf } from './chain-message.ts';

class Sink implements RecordHandler, StageLogic {
  private readonly ctx: StageContext;
  private view: DataView | null = null;
  received = 0;
  expected = 0;
  duplicated = 0;
  reordered = 0;
  gaps = 0;
  corrupted = 0;
  constructor(ctx: StageContext) {
    this.ctx = ctx;
  }
  onMessage(msgTypeId: number, buffer: Uint8Array, index: number, length: number): void {
    const view = this.view ?? (this.view = new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength));
    this.received++;
    const seq = view.getFloat64(index, true);
    if (msgTypeId !== CHAIN_MSG_TYPE || length !== lengthOf(seq) || view.getUint32(index + length - 4, true) !== fnv1a(buffer, index, index + length - 4)) {
      this.corrupted++;
      return;
    }
    if (seq === this.expected) this.expected++;
    else if (seq < this.expected) this.duplicated++;
    else {
      // Skipped ahead: either lost messages or a reordering; both are failures.
      this.gaps += seq - this.expected;
      this.reordered++;
      this.expected = seq + 1;
    }
  }
  doWork(): number {
    return this.ctx.inputs[0]!.read(this, 256);
  }
  onStop(): void {
    this.ctx.report({
      received: this.received,
      inOrder: this.expected,
      duplicated: this.duplicated,
      reordered: this.reordered,
      gaps: this.gaps,
      corrupted: this.corrupted,
    });
  }
}

export function createStage(ctx: StageContext): StageLogic {
  return new Sink(ctx);
}
