// Line charts as PNG (an SVG rendered by sharp): side-by-side panels of series against the epoch.
// Used for a run's curves.png and for the comparison figures of docs/RESULTS.md.
import sharp from 'sharp';

export interface Series {
  name: string;
  colour: string;
  /** One value per x position; null leaves a gap. */
  values: (number | null)[];
}

export interface ChartPanel {
  title: string;
  /** The x positions (epochs) shared by the panel's series. */
  epochs: readonly number[];
  series: readonly Series[];
}

const PANEL_WIDTH = 480;
const PLOT_BOTTOM = 360;
const LEGEND_LINE = 14;

/** The panels side by side, 480 px wide each, with the legend under the axes (clear of the curves), as a PNG. */
export async function renderLineChartPng(panels: readonly ChartPanel[]): Promise<Buffer> {
  const width = PANEL_WIDTH * panels.length;
  const height = PLOT_BOTTOM + 40 + LEGEND_LINE * Math.max(0, ...panels.map((panel) => panel.series.length));
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="12">
<rect width="${width}" height="${height}" fill="white"/>
${panels.map((panel, k) => drawPanel(panel, PANEL_WIDTH * k)).join('\n')}
</svg>`;
  return sharp(Buffer.from(svg)).png().toBuffer();
}

function drawPanel({ title, epochs, series }: ChartPanel, left: number): string {
  const x0 = left + 50;
  const x1 = left + 460;
  const y0 = PLOT_BOTTOM;
  const y1 = 40;
  const values = series.flatMap((s) => s.values.filter((v): v is number => v !== null && Number.isFinite(v)));
  const low = Math.min(0, ...values);
  const high = Math.max(1e-9, ...values);
  const lastEpoch = Math.max(1, ...epochs);
  const px = (epoch: number): number => x0 + ((x1 - x0) * epoch) / lastEpoch;
  const py = (value: number): number => y0 - ((y0 - y1) * (value - low)) / (high - low);
  const lines = series.map((s, k) => {
    const points = s.values.flatMap((v, i) => (v === null || !Number.isFinite(v) ? [] : [`${px(epochs[i]!).toFixed(1)},${py(v).toFixed(1)}`]));
    return `<polyline fill="none" stroke="${s.colour}" stroke-width="2" points="${points.join(' ')}"/>` +
      `<text x="${x0}" y="${y0 + 36 + LEGEND_LINE * k}" fill="${s.colour}">${escapeXml(s.name)}</text>`;
  });
  return `<text x="${x0}" y="24" font-size="14">${escapeXml(title)}</text>
<line x1="${x0}" y1="${y0}" x2="${x1}" y2="${y0}" stroke="black"/><line x1="${x0}" y1="${y0}" x2="${x0}" y2="${y1}" stroke="black"/>
<text x="${x0 - 6}" y="${y0}" text-anchor="end">${low.toPrecision(3)}</text><text x="${x0 - 6}" y="${y1 + 10}" text-anchor="end">${high.toPrecision(3)}</text>
<text x="${x1}" y="${y0 + 16}" text-anchor="end">epoch ${lastEpoch}</text>
${lines.join('\n')}`;
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
