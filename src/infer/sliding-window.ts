// Whole-image class probabilities from a fully convolutional network applied tile by tile
// (REFERENCE_SPEC §10.2), optionally blending overlapping tiles instead of cutting them, and with
// test-time augmentation over the eight flips and rotations (§10.3).
import { cat, F, keep, noGrad, scope, tensor, zeros, type Layer, type Tensor } from '../engine/index.js';
import { planTiles, type Tile, type TilePlan, type Tiling } from './tiling.js';

export interface SlidingWindowOptions {
  /**
   * Tile side in pixels (a multiple of 32 for ResUNet34/FCN-8s): the largest tile for 'fitted'
   * tiling, the exact one for 'reference'. The paper: 224. Default 1024.
   */
  tile?: number;
  /** Pixels shared by neighbouring tiles. The paper: 80. */
  overlap?: number;
  /** 'fitted' (default) or 'reference' (the paper's plan, §10.2); see tiling.ts. */
  tiling?: Tiling;
  /** Tiles per forward pass (default: as many as hold 4 × 224² pixels, at least 1). */
  batchSize?: number;
  /**
   * 'cut' (the paper): each tile writes the logits of its centre. 'blend': probabilities of
   * overlapping tiles are averaged with weights that fall linearly towards tile edges shared with a
   * neighbour, which hides seams where a tile's context is poor.
   */
  stitching?: 'cut' | 'blend';
}

const defaults = { tile: 1024, overlap: 80, tiling: 'fitted', stitching: 'cut' } as const;
/** Pixels per forward pass when no batch size is given: the paper's batch of four 224² tiles. */
const BATCH_PIXELS = 4 * 224 * 224;

/** Per-class probabilities (C×H×W, float32) for a normalised 1×3×H×W image. */
export function slidingWindowProbabilities(model: Layer, image: Tensor, options: SlidingWindowOptions = {}): Tensor {
  const overlap = options.overlap ?? defaults.overlap;
  const stitching = options.stitching ?? defaults.stitching;
  const [, , height = 0, width = 0] = image.shape;
  const plan = planTiles(height, width, options.tile ?? defaults.tile, overlap, options.tiling ?? defaults.tiling);
  const { tileHeight, tileWidth } = plan;
  const batchSize = options.batchSize ?? Math.max(1, Math.floor(BATCH_PIXELS / (tileHeight * tileWidth)));
  return noGrad(() =>
    scope(() => {
      const padded = F.pad(image, [0, plan.paddedWidth - width, 0, plan.paddedHeight - height], 'constant', 0);
      let sums: Tensor | null = null;
      let weights: Tensor | null = null;
      for (let first = 0; first < plan.tiles.length; first += batchSize) {
        const batch = plan.tiles.slice(first, first + batchSize);
        scope(() => {
          const inputs = cat(batch.map((t) => padded.narrow(2, t.y, tileHeight).narrow(3, t.x, tileWidth)), 0);
          const logits = model.forward(inputs).to('float32');
          if (sums === null) {
            sums = keep(zeros([logits.size(1), plan.paddedHeight, plan.paddedWidth]));
            if (stitching === 'blend') weights = keep(zeros([1, plan.paddedHeight, plan.paddedWidth]));
          }
          batch.forEach((t, k) => {
            if (stitching === 'cut') writeKept(sums!, logits.select(0, k), t);
            else accumulateBlended(sums!, weights!, F.softmax(logits.select(0, k), 0), t, overlap, plan);
          });
        });
      }
      if (sums === null) throw new Error('slidingWindowProbabilities: the image is empty');
      const stitched: Tensor = sums;
      const stitchWeights = weights as Tensor | null;
      // The accumulators were kept out of every scope; free them now rather than at some later GC
      // (a caller looping over slide tiles without yielding would otherwise hold one per tile).
      try {
        const probabilities = stitching === 'cut' ? F.softmax(stitched, 0) : stitched.div(stitchWeights!);
        return probabilities.narrow(1, 0, height).narrow(2, 0, width).contiguous();
      } finally {
        stitched.dispose();
        stitchWeights?.dispose();
      }
    }),
  );
}

function writeKept(target: Tensor, tileOutput: Tensor, tile: Tile): void {
  const { y0, y1, x0, x1 } = tile.keep;
  target
    .narrow(1, y0, y1 - y0)
    .narrow(2, x0, x1 - x0)
    .copy_(tileOutput.narrow(1, y0 - tile.y, y1 - y0).narrow(2, x0 - tile.x, x1 - x0));
}

/** Weights 1 in a tile's interior, falling linearly to 1/overlap at edges shared with a neighbour. */
function rampWeights(size: number, overlap: number, rampStart: boolean, rampEnd: boolean): Float32Array {
  const weights = new Float32Array(size).fill(1);
  for (let i = 0; i < overlap; i++) {
    const w = (i + 1) / (overlap + 1);
    if (rampStart) weights[i] = Math.min(weights[i]!, w);
    if (rampEnd) weights[size - 1 - i] = Math.min(weights[size - 1 - i]!, w);
  }
  return weights;
}

function accumulateBlended(sums: Tensor, weights: Tensor, probabilities: Tensor, tile: Tile, overlap: number, plan: TilePlan): void {
  const { tileHeight, tileWidth } = plan;
  const rows = rampWeights(tileHeight, overlap, tile.y > 0, tile.y + tileHeight < plan.paddedHeight);
  const cols = rampWeights(tileWidth, overlap, tile.x > 0, tile.x + tileWidth < plan.paddedWidth);
  const window = tensor(rows, [1, tileHeight, 1]).mul(tensor(cols, [1, 1, tileWidth]));
  sums.narrow(1, tile.y, tileHeight).narrow(2, tile.x, tileWidth).add_(probabilities.mul(window));
  weights.narrow(1, tile.y, tileHeight).narrow(2, tile.x, tileWidth).add_(window);
}

/**
 * Test-time augmentation: the average of the probabilities over the eight dihedral transforms of
 * the image (rotations by 0/90° combined with horizontal and vertical flips), each mapped back.
 */
export function augmentedProbabilities(model: Layer, image: Tensor, options: SlidingWindowOptions = {}): Tensor {
  return scope(() => {
    let sum: Tensor | null = null;
    for (let variant = 0; variant < 8; variant++) {
      const rotate = variant >= 4;
      const flips = [...(variant & 1 ? [3] : []), ...(variant & 2 ? [2] : [])];
      let input = rotate ? image.rot90(1, [2, 3]) : image;
      if (flips.length > 0) input = input.flip(...flips);
      let probabilities = slidingWindowProbabilities(model, input.contiguous(), options);
      if (flips.length > 0) probabilities = probabilities.flip(...flips.map((d) => d - 1));
      if (rotate) probabilities = probabilities.rot90(-1, [1, 2]);
      sum = sum === null ? probabilities : sum.add(probabilities);
    }
    return sum!.div(8).contiguous();
  });
}
