/**
 * uPlot inside Preact: the chart is created once, then fed by a signal
 * (`u.setData`) without re-rendering the component; it follows its
 * container's width.
 */
import { useEffect, useRef } from 'preact/hooks';
import { effect, type ReadonlySignal } from '@preact/signals';
import uPlot from 'uplot';

export interface ChartProps {
  /** Options without width (taken from the container). */
  options: Omit<uPlot.Options, 'width'>;
  data: ReadonlySignal<uPlot.AlignedData>;
  testid: string;
  class?: string;
  /** Re-create the chart when this changes (e.g. the series names). */
  version?: string;
}

const AXIS = { stroke: '#94a3b8', grid: { stroke: 'rgba(148,163,184,0.12)', width: 1 }, ticks: { stroke: 'rgba(148,163,184,0.25)', width: 1 } };
export const axis = (extra: Partial<uPlot.Axis> = {}): uPlot.Axis => ({ ...AXIS, ...extra });

export function Chart({ options, data, testid, class: cls, version }: ChartProps) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = box.current!;
    const u = new uPlot({ ...options, width: Math.max(200, el.clientWidth) }, data.peek(), el);
    const stop = effect(() => {
      const d = data.value;
      u.setData(d, true);
    });
    const ro = new ResizeObserver(() => {
      const w = Math.max(200, el.clientWidth);
      if (Math.abs(w - u.width) > 2) u.setSize({ width: w, height: options.height });
    });
    ro.observe(el);
    return () => {
      stop();
      ro.disconnect();
      u.destroy();
    };
  }, [version]);
  return <div ref={box} data-testid={testid} class={cls ?? 'w-full'} />;
}
