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
const HEIGHT = 400;

/** The panels side by side, 480×400 px each, as a PNG. */
export async function renderLineChartPng(panels: readonly ChartPanel[]): Promise<Buffer> {
  const width = PANEL_WIDTH * panels.length;
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${HEIGHT}" font-family="sans-serif" font-size="12">
<rect width="${width}" height="${HEIGHT}" fill="white"/>
${panels.map((panel, k) => drawPanel(panel, PANEL_WIDTH * k)).join('\n')}
</svg>`;
  return sharp(Buffer.from(svg)).png().toBuffer();
}

function drawPanel({ title, epochs, series }: ChartPanel, left: number): string {
  const x0 = left + 50;
  const x1 = left + 460;
  const y0 = 360;
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
      `<text x="${x0 + 8}" y="${y1 + 14 + 14 * k}" fill="${s.colour}">${escapeXml(s.name)}</text>`;
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
