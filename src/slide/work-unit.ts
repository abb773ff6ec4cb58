// One tile of a slide, from pixels to measured nuclei in slide coordinates; and a batch of tiles as
// an independent, serialisable unit of work (slide, model, settings, tiles → nuclei) that a
// distributed runner can hand to another machine. Nucleus ids in a result are the tile's own; the
// run numbers them across the slide when it writes the outputs.
import { drawOverlay } from '../export/overlay.js';
import { measureNuclei, type NucleusRecord } from '../export/measure.js';
import { createRaster, type Raster } from '../image/raster.js';
import { openFinder, type ModelSpec, type NucleusFinder } from './finder.js';
import { ModelView, type Rect } from './model-view.js';
import { Slide } from './slide-source.js';
import { ownedNuclei } from './stitching.js';
import type { SlideTile } from './tile-grid.js';

export interface TileResult {
  readonly tile: number;
  /** The tile's nuclei: centroids and outlines in level-0 slide pixels, sizes in view pixels. */
  readonly records: NucleusRecord[];
  /** Of those, how many reached the edge of the tile's read area (see stitching.ts). */
  readonly cut: number;
}

export interface ProcessedTile {
  readonly result: TileResult;
  /** The tile's inner area as the overlay shows it, the pixels with nucleus outlines (if asked for). */
  readonly overlay: Raster<Uint8Array> | null;
}

export class TileProcessor {
  constructor(
    readonly view: ModelView,
    private readonly finder: NucleusFinder,
  ) {}

  process(tile: SlideTile, withOverlay: boolean): ProcessedTile {
    const { view } = this;
    const image = view.read(tile.read);
    const nuclei = this.finder.predict(image, `${view.slide.path} tile ${tile.index}`);
    const owned = ownedNuclei(nuclei, tile, view.width, view.height);
    const origin = view.toSlide(tile.read);
    const records = measureNuclei({
      labels: owned.labels,
      image,
      probabilities: owned.classProbabilities,
      frame: { x: origin.x, y: origin.y, scale: view.slidePerView },
    });
    const innerArea = { x: tile.inner.x - tile.read.x, y: tile.inner.y - tile.read.y, width: tile.inner.width, height: tile.inner.height };
    return {
      result: { tile: tile.index, records, cut: owned.cut },
      // All nuclei the tile found are drawn: those owned by a neighbour may reach into the inner area.
      overlay: withOverlay ? crop(drawOverlay(nuclei.labels, image), innerArea) : null,
    };
  }
}

/** A batch of tiles of one slide with everything needed to process it anywhere; plain JSON. */
export interface WorkUnit {
  readonly slide: { readonly path: string; readonly mpp?: number };
  readonly model: ModelSpec;
  /** Tiles in the view of this slide at the model's scale (planSlideTiles). */
  readonly tiles: readonly SlideTile[];
}

/** Processes a unit of work; `finder` replaces the unit's model where one is already loaded. */
export async function runWorkUnit(unit: WorkUnit, finder?: NucleusFinder): Promise<TileResult[]> {
  const slide = await Slide.open(unit.slide.path, { mpp: unit.slide.mpp });
  const model = finder ?? openFinder(unit.model);
  try {
    const processor = new TileProcessor(new ModelView(slide, model.mpp), model);
    return unit.tiles.map((tile) => processor.process(tile, false).result);
  } finally {
    if (finder === undefined) model.dispose();
    slide.close();
  }
}

function crop(image: Raster<Uint8Array>, rect: Rect): Raster<Uint8Array> {
  const { channels } = image;
  const out = new Uint8Array(rect.width * rect.height * channels);
  for (let row = 0; row < rect.height; row++) {
    const from = ((rect.y + row) * image.width + rect.x) * channels;
    out.set(image.data.subarray(from, from + rect.width * channels), row * rect.width * channels);
  }
  return createRaster(out, rect.width, rect.height, channels);
}
