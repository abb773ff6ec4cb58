// Tables of where the time goes: per layer group, its time, its convolution work, the rate achieved
// and that rate as a fraction of the machine's measured convolution peak.
import type { GroupTiming } from './instrument.js';

export interface GroupRow extends GroupTiming {
  /** GFLOP/s achieved (null where the group has no counted convolution work). */
  gflops: number | null;
  /** Of the peak (0..1), or null. */
  ofPeak: number | null;
}

export function groupRows(groups: readonly GroupTiming[], peakGflops: number): GroupRow[] {
  return groups.map((g) => {
    const gflops = g.flop > 0 && g.ms > 0 ? g.flop / (g.ms / 1000) / 1e9 : null;
    return { ...g, gflops, ofPeak: gflops === null ? null : gflops / peakGflops };
  });
}

/** The rows as a Markdown table, with a total row. */
export function groupTable(rows: readonly GroupRow[], peakGflops: number, peakLabel: string): string[] {
  const total = rows.reduce((sum, r) => ({ ms: sum.ms + r.ms, flop: sum.flop + r.flop }), { ms: 0, flop: 0 });
  const line = (name: string, ms: number, flop: number, gflops: number | null, ofPeak: number | null): string =>
    `| ${name} | ${ms.toFixed(1)} | ${(ms / total.ms * 100).toFixed(1)} % | ${flop > 0 ? (flop / 1e9).toFixed(2) : '–'} | ` +
    `${gflops === null ? '–' : gflops.toFixed(1)} | ${ofPeak === null ? '–' : `${(ofPeak * 100).toFixed(1)} %`} |`;
  const totalRate = total.flop > 0 ? total.flop / (total.ms / 1000) / 1e9 : null;
  return [
    `| group | ms | share | GFLOP | GFLOP/s | of ${peakLabel} |`,
    '|---|---|---|---|---|---|',
    ...rows.map((r) => line(r.group, r.ms, r.flop, r.gflops, r.ofPeak)),
    line('**total**', total.ms, total.flop, totalRate, totalRate === null ? null : totalRate / peakGflops),
  ];
}
