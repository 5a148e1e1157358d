/** Stage that produces `count` chain messages into its only output ring. */
import { SpinThenParkIdle } from '../../../src/core/ring/index.ts';
import type { StageContext, StageLogic } from '../../../src/core/stage/stage-logic.ts';
import { CHAIN_MSG_TYPE, lengthOf, writeMessage } from './chain-message.ts';

const BATCH = 256;

export function createStage(ctx: StageContext): StageLogic {
  const { count } = ctx.params as { count: number };
  const out = ctx.outputs[0]!;
  const view = new DataView(out.bytes.buffer, out.bytes.byteOffset, out.bytes.byteLength);
  const spaceIdle = new SpinThenParkIdle(out.spaceParker, { spinUs: 50, maxParkMs: 5 });
  let seq = 0;
  return {
    doWork(): number {
      let n = 0;
      while (n < BATCH && seq < count) {
        const idx = out.claimBlocking(CHAIN_MSG_TYPE, lengthOf(seq), spaceIdle);
        if (idx < 0) throw new Error(`claim failed with status ${idx}`);
        writeMessage(out.bytes, view, idx, seq);
        out.commit(idx);
        seq++;
        n++;
      }
      return n;
    },
    onStop(): void {
      ctx.report({ produced: seq });
    },
  };
}
