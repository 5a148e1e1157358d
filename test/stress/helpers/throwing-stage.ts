/** Stage whose loop throws after a few polls, to test failure reporting. */
import type { StageContext, StageLogic } from '../../../src/core/stage/stage-logic.ts';

export function createStage(_ctx: StageContext): StageLogic {
  let polls = 0;
  return {
    doWork(): number {
      if (++polls > 10) throw new Error('boom on purpose');
      return 0;
    },
  };
}
