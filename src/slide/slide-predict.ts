// `histonuc predict SLIDE`: every nucleus of a whole slide, in bounded memory. The slide is viewed at
// the model's scale, tiles without tissue are skipped, the others are processed one after another
// (read → infer → post-process → own → measure), each tile's nuclei saved as soon as it is done, so
// that nothing grows with the slide and an interrupted run resumes. The outputs are then streamed
// from the saved tiles: GeoJSON for QuPath, per-nucleus CSV, a summary JSON and the overlay TIFF.
import { mkdirSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { openCsvWriter } from '../export/csv.js';
import { openGeoJsonWriter } from '../export/geojson.js';
import type { RecordWriter } from '../export/record-writer.js';
import { SummaryCounter, type NucleusSummary } from '../export/summary.js';
import { idForClass } from '../image/labels.js';
import { MIN_IMAGE_SIDE, type PredictorOptions } from '../infer/predictor.js';
import { writeFileAtomic } from '../util/atomic-file.js';
import { ProgressBar } from '../util/progress.js';
import { openFinder, type NucleusFinder } from './finder.js';
import { ModelView, type Rect } from './model-view.js';
import { OverlayCanvas } from './overlay-pyramid.js';
import { RunState } from './run-state.js';
import { Slide, type PixelSizeSource } from './slide-source.js';
import { planSlideTiles, type SlideTile } from './tile-grid.js';
import { detectTissue, hasTissue, tissueArea } from './tissue.js';
import { TileProcessor, type TileResult } from './work-unit.js';

/** Tile inner side, in model-view pixels (512 µm at 0.25 µm/px). */
export const DEFAULT_TILE = 2048;
/** Context read around each tile: 32 µm at 0.25 µm/px, more than the largest nucleus's reach. */
export const DEFAULT_MARGIN = 128;

export interface SlidePredictOptions extends PredictorOptions {
  readonly slide: string;
  readonly outDir: string;
  /** Output file stem; the slide's file name without extension by default. */
  readonly name?: string;
  /** The trained model; required unless `finder` is given. */
  readonly checkpoint?: string;
  /** A model already loaded (tests and benchmarks); replaces `checkpoint`. */
  readonly finder?: NucleusFinder;
  /** µm per level-0 pixel where the slide states none (or to override it). */
  readonly mpp?: number;
  /** Only this rectangle of level-0 slide pixels. */
  readonly region?: Rect;
  readonly tileSize?: number;
  readonly margin?: number;
  /** Process every tile, tissue or not. */
  readonly includeBackground?: boolean;
  /** Write the overlay TIFF (default true). */
  readonly overlay?: boolean;
  /** Show a progress bar on stderr (default: when stderr is a terminal). */
  readonly progress?: boolean;
}

export interface SlideOutputPaths {
  readonly geojson: string;
  readonly csv: string;
  readonly summary: string;
  readonly overlay?: string;
}

/** NucleusSummary over the tissue area (region.areaPx, model-view pixels), with the slide's facts. */
export interface SlideSummary extends NucleusSummary {
  readonly slide: {
    readonly file: string;
    readonly width: number;
    readonly height: number;
    readonly micronsPerPixel: number;
    readonly micronsPerPixelFrom: PixelSizeSource;
    readonly level: number;
    readonly viewMicronsPerPixel: number;
    /** The level-0 rectangle processed. */
    readonly region: Rect;
    readonly tiles: { readonly total: number; readonly processed: number };
    /** Nuclei that reached a tile's margin (0 unless the margin is too narrow for the nuclei). */
    readonly cutNuclei: number;
  };
}

export interface SlidePrediction {
  readonly paths: SlideOutputPaths;
  readonly summary: SlideSummary;
  /** Tiles found finished by an earlier, interrupted run. */
  readonly resumedTiles: number;
}

export async function predictSlide(options: SlidePredictOptions): Promise<SlidePrediction> {
  const { outDir, tileSize = DEFAULT_TILE, margin = DEFAULT_MARGIN, overlay = true } = options;
  const name = options.name ?? basename(options.slide, extname(options.slide));
  if (options.finder === undefined && options.checkpoint === undefined) throw new Error('predictSlide needs a checkpoint (or a finder)');
  const slide = await Slide.open(options.slide, { mpp: options.mpp });
  let finder: NucleusFinder | undefined;
  let canvas: OverlayCanvas | null = null;
  try {
    finder = options.finder ?? openFinder({ checkpoint: options.checkpoint!, options: predictorOptions(options) });
    const view = new ModelView(slide, finder.mpp);
    const region = viewRegion(view, options.region);
    const tissue = options.includeBackground ? null : detectTissue(slide);
    const allTiles = planSlideTiles({ width: view.width, height: view.height, region, size: tileSize, margin });
    const tiles = allTiles.filter((tile) => tissue === null || hasTissue(tissue, view.toSlide(tile.inner)));
    mkdirSync(outDir, { recursive: true });
    const manifest = { slide: { path: options.slide, fingerprint: slide.fingerprint, mpp: slide.mpp }, model: finder.identity, region, tileSize, margin, includeBackground: !!options.includeBackground, overlay };
    const { state, resumed } = RunState.open(join(outDir, `.${name}.slide-run`), manifest);
    canvas = overlay ? new OverlayCanvas(state.file('overlay.v'), region.width, region.height, view.mpp) : null;
    const pending = resumed ? tiles.filter((tile) => !state.isDone(tile.index)) : tiles;
    const processor = new TileProcessor(view, finder);
    const progress = (options.progress ?? process.stderr.isTTY) ? new ProgressBar({ label: name, total: pending.length, unit: 'tiles' }) : null;
    let found = 0;
    for (const tile of pending) {
      const { result, overlay: drawn } = processor.process(tile, canvas !== null);
      if (drawn !== null) canvas?.put(drawn, tile.inner.x - region.x, tile.inner.y - region.y);
      state.save(result);
      found += result.records.length;
      progress?.tick(1, `${found} nuclei`);
      // Let the event loop run between tiles: finalizers of anything left to the garbage collector.
      await new Promise((resolve) => setImmediate(resolve));
    }
    progress?.finish();

    const paths: SlideOutputPaths = {
      geojson: join(outDir, `${name}.geojson`),
      csv: join(outDir, `${name}_nuclei.csv`),
      summary: join(outDir, `${name}_summary.json`),
      ...(canvas !== null ? { overlay: join(outDir, `${name}_overlay.tiff`) } : {}),
    };
    const { counter, cut } = writeRecordFiles(tiles, state, paths, view.mpp);
    const regionOnSlide = view.toSlide(region);
    const countedArea = tissue === null ? regionOnSlide.width * regionOnSlide.height : tissueArea(tissue, regionOnSlide);
    const summary: SlideSummary = {
      slide: {
        file: options.slide,
        width: slide.width,
        height: slide.height,
        micronsPerPixel: slide.mpp,
        micronsPerPixelFrom: slide.mppSource,
        level: view.level,
        viewMicronsPerPixel: view.mpp,
        region: regionOnSlide,
        tiles: { total: allTiles.length, processed: tiles.length },
        cutNuclei: cut,
      },
      ...counter.summary(Math.max(1, countedArea / view.slidePerView ** 2), view.mpp),
    };
    writeFileAtomic(paths.summary, (write) => write(`${JSON.stringify(summary, null, 2)}\n`));
    if (canvas !== null) await canvas.writePyramid(paths.overlay!);
    canvas?.close();
    state.remove();
    return { paths, summary, resumedTiles: tiles.length - pending.length };
  } finally {
    canvas?.close();
    if (options.finder === undefined) finder?.dispose();
    slide.close();
  }
}

function predictorOptions(options: SlidePredictOptions): PredictorOptions {
  const { tile, overlap, tiling, batchSize, stitching, device, precision, tta, minSize } = options;
  return { tile, overlap, tiling, batchSize, stitching, device, precision, tta, minSize };
}

// The requested level-0 region in view pixels (the whole view by default), checked.
function viewRegion(view: ModelView, region: Rect | undefined): Rect {
  const whole = { x: 0, y: 0, width: view.width, height: view.height };
  if (region === undefined) return checkedSize(whole, view);
  const s = view.slidePerView;
  const x0 = Math.max(0, Math.floor(region.x / s));
  const y0 = Math.max(0, Math.floor(region.y / s));
  const x1 = Math.min(view.width, Math.ceil((region.x + region.width) / s));
  const y1 = Math.min(view.height, Math.ceil((region.y + region.height) / s));
  if (!(region.width > 0 && region.height > 0) || x1 <= x0 || y1 <= y0) {
    throw new RangeError(`region ${region.x},${region.y},${region.width},${region.height} is empty or outside the slide (${view.slide.width}×${view.slide.height} px)`);
  }
  return checkedSize({ x: x0, y: y0, width: x1 - x0, height: y1 - y0 }, view);
}

function checkedSize(rect: Rect, view: ModelView): Rect {
  if (rect.width < MIN_IMAGE_SIDE || rect.height < MIN_IMAGE_SIDE) {
    throw new RangeError(`${view.slide.path}: the area to process is ${rect.width}×${rect.height} px at the model's scale; it needs at least ${MIN_IMAGE_SIDE} px on each side`);
  }
  return rect;
}

// The GeoJSON and CSV, streamed from the saved tiles in tile order, nuclei numbered across the slide
// (paper encoding: class = id mod 3).
function writeRecordFiles(tiles: readonly SlideTile[], state: RunState, paths: SlideOutputPaths, mpp: number): { counter: SummaryCounter; cut: number } {
  const writers: RecordWriter[] = [openGeoJsonWriter(paths.geojson, { mpp }), openCsvWriter(paths.csv, { mpp })];
  const counter = new SummaryCounter();
  const perClass: [number, number, number] = [0, 0, 0];
  let cut = 0;
  try {
    for (const tile of tiles) {
      const result: TileResult = state.load(tile.index);
      const records = result.records.map((record) => ({ ...record, id: idForClass(record.nucleusClass, ++perClass[record.nucleusClass]) }));
      for (const writer of writers) writer.add(records);
      counter.add(records);
      cut += result.cut;
    }
    for (const writer of writers) writer.finish();
  } catch (error) {
    for (const writer of writers) writer.abort();
    throw error;
  }
  return { counter, cut };
}
