/** Stage that forwards every record from its input ring to its output ring unchanged. */
import { SpinThenParkIdle, type RecordHandler } from '../../../src/core/ring/index.ts';
import type { StageContext, StageLogic } from '../../../src/core/stage/stage-logic.ts';

class Forwarder implements RecordHandler, StageLogic {
  private readonly ctx: StageContext;
  private readonly spaceIdle: SpinThenParkIdle;
  constructor(ctx: StageContext) {
    this.ctx = ctx;
    this.spaceIdle = new SpinThenParkIdle(ctx.outputs[0]!.spaceParker, { spinUs: 50, maxParkMs: 5 });
  }
  onMessage(msgTypeId: number, buffer: Uint8Array, index: number, length: number): void {
    const st = this.ctx.outputs[0]!.writeBlocking(msgTypeId, buffer, index, length, this.spaceIdle);
    if (st < 0) throw new Error(`forward failed with status ${st}`);
  }
  doWork(): number {
    return this.ctx.inputs[0]!.read(this, 256);
  }
}

export function createStage(ctx: StageContext): StageLogic {
  return new Forwarder(ctx);
}
