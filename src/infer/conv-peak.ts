// This machine's convolution peak, measured: the rate of one large 3×3 channels-last convolution,
// the yardstick for "fraction of peak" in the inference and training benchmarks (issue 10).
import { F, noGrad, randn, scope, type DType } from '../engine/index.js';

export interface ConvPeakOptions {
  /** Channels in and out (256). */
  channels?: number;
  /** Side of the square input (64). */
  side?: number;
  /** Timed repetitions; the fastest counts (10). */
  runs?: number;
}

/** GFLOP/s of a 3×3, stride-1, padded convolution in dtype on the CPU (2 FLOP per multiply-add). */
export function measureConvPeak(dtype: DType, options: ConvPeakOptions = {}): number {
  const { channels = 256, side = 64, runs = 10 } = options;
  return noGrad(() => scope(() => {
    const x = randn([1, channels, side, side]).to(dtype).contiguous(true);
    const w = randn([channels, channels, 3, 3]).mul(0.01).to(dtype).contiguous(true);
    const once = (): number => scope(() => {
      const start = performance.now();
      F.conv2d(x, w, null, { padding: 1 });
      return performance.now() - start;
    });
    once();
    let best = Infinity;
    for (let i = 0; i < runs; i++) best = Math.min(best, once());
    return (2 * channels * channels * 9 * side * side) / (best / 1000) / 1e9;
  }));
}
