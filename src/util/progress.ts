// A one-line progress bar with rate and ETA on stderr (a plain line every few seconds where stderr
// is not a terminal, so logs stay readable).

export interface ProgressOptions {
  label: string;
  total: number;
  /** Already done before this bar started (a resumed epoch); not counted in the rate. */
  done?: number;
  unit?: string;
  stream?: ProgressStream;
}

/** Where the bar is drawn: a terminal redraws one line, anything else gets a line every 5 s. */
export type ProgressStream = Pick<NodeJS.WriteStream, 'write' | 'isTTY'>;

function formatSeconds(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h > 0 ? `${h}h${String(m).padStart(2, '0')}m` : m > 0 ? `${m}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}

export class ProgressBar {
  readonly #label: string;
  readonly #total: number;
  readonly #unit: string;
  readonly #stream: ProgressStream;
  readonly #start = performance.now();
  readonly #initial: number;
  #done: number;
  #lastDraw = 0;
  #suffix = '';

  constructor(options: ProgressOptions) {
    this.#label = options.label;
    this.#total = Math.max(0, options.total);
    this.#initial = Math.min(this.#total, Math.max(0, options.done ?? 0));
    this.#done = this.#initial;
    this.#unit = options.unit ?? 'it';
    this.#stream = options.stream ?? process.stderr;
  }

  /** Advances by n and sets the text shown after the bar (e.g. the current loss). */
  tick(n = 1, suffix?: string): void {
    this.#done = Math.min(this.#total, this.#done + n);
    if (suffix !== undefined) this.#suffix = suffix;
    const now = performance.now();
    const interval = this.#stream.isTTY ? 100 : 5000;
    if (now - this.#lastDraw >= interval || this.#done === this.#total) {
      this.#lastDraw = now;
      this.#draw(now);
    }
  }

  #draw(now: number): void {
    const elapsed = (now - this.#start) / 1000;
    const rate = (this.#done - this.#initial) / Math.max(elapsed, 1e-9);
    const eta = (this.#total - this.#done) / rate;
    const fraction = this.#total === 0 ? 1 : this.#done / this.#total;
    const width = 24;
    const filled = Math.round(fraction * width);
    const bar = `${'█'.repeat(filled)}${'░'.repeat(width - filled)}`;
    const line = `${this.#label} ${bar} ${this.#done}/${this.#total} ${rate.toFixed(rate < 10 ? 2 : 1)} ${this.#unit}/s ETA ${formatSeconds(eta)}${this.#suffix ? ` ${this.#suffix}` : ''}`;
    if (this.#stream.isTTY) this.#stream.write(`\r${line}\x1b[K`);
    else this.#stream.write(`${line}\n`);
  }

  /** Draws the final state and ends the line. */
  finish(): void {
    this.#draw(performance.now());
    if (this.#stream.isTTY) this.#stream.write('\n');
  }
}
