// Seeded synthetic H&E tiles with instance labels in the dataset's class encoding, for tests and the
// embedded demo. The three nucleus kinds differ the way they do in real tissue: tumor nuclei are
// large, irregular, pale and vesicular (dark rim, clumped chromatin, nucleoli) and crowd into nests;
// lymphocytes are small, round and densely dark, scattered or clustered; stroma nuclei are thin
// spindles aligned with the pink fibres. Colours come from a Beer–Lambert stain model.
import { idForClass, type NucleusClass } from '../image/labels.js';
import { createRaster, type LabelMap, type Raster } from '../image/raster.js';
import { createDatasetFolder, splitByFractions, writeDatasetSample, writeSplit } from './dataset.js';
import { Random } from './random.js';

export interface SyntheticTile {
  /** RGB, 8 bit. */
  image: Raster<Uint8Array>;
  /** 0 background, one id per nucleus, class = id mod 3. */
  labels: LabelMap;
}

export interface SyntheticDatasetOptions {
  /** Number of tiles. */
  count: number;
  width: number;
  height: number;
  seed: number;
  /** Shares of the tiles in split.json's val and test lists (the rest is train). */
  valFraction?: number;
  testFraction?: number;
}

/**
 * Writes a synthetic dataset folder (images/, labels/, split.json; tiles named synthetic_<k>).
 * `dir` must not exist; it appears complete or not at all.
 */
export async function writeSyntheticDataset(dir: string, options: SyntheticDatasetOptions): Promise<void> {
  const { count, width, height, seed, valFraction = 0.15, testFraction = 0.15 } = options;
  if (!Number.isInteger(count) || count < 1) throw new RangeError(`tile count must be a positive integer, got ${count}`);
  const names = Array.from({ length: count }, (_, k) => `synthetic_${k + 1}`);
  await createDatasetFolder(dir, async (temporary) => {
    for (let k = 0; k < count; k++) {
      const tile = generateSyntheticTile(width, height, tileSeed(seed, k));
      await writeDatasetSample(temporary, { name: names[k], ...tile });
    }
    writeSplit(temporary, splitByFractions(names, valFraction, testFraction));
  });
}

/** The seed of tile k of a dataset: tiles are independent of how many others are made. */
function tileSeed(seed: number, k: number): number {
  return new Random(seed, k).nextUint32();
}

interface NucleusKind {
  nucleusClass: NucleusClass;
  /** Range of the semi-major axis, px. */
  semiMajor: readonly [number, number];
  /** Range of semi-minor / semi-major. */
  aspect: readonly [number, number];
  /** Largest amplitude of each outline harmonic (relative radius). */
  irregularity: number;
  /** Range of the mean hematoxylin density. */
  hematoxylin: readonly [number, number];
  /** Amplitude of the chromatin texture, relative to the density. */
  chromatin: number;
  /** Extra density at the nuclear membrane (vesicular nuclei). */
  rim: number;
  /** Probability of one or two dark nucleoli. */
  nucleoli: number;
  /** Largest share of a new nucleus that may lie under earlier ones (crowding). */
  maxOverlap: number;
}

const KINDS: Record<'tumor' | 'lymphocyte' | 'stroma', NucleusKind> = {
  tumor: {
    nucleusClass: 0, semiMajor: [9, 14], aspect: [0.65, 0.95], irregularity: 0.09,
    hematoxylin: [0.45, 0.75], chromatin: 0.55, rim: 0.55, nucleoli: 0.8, maxOverlap: 0.15,
  },
  lymphocyte: {
    nucleusClass: 1, semiMajor: [6, 8], aspect: [0.85, 1], irregularity: 0.03,
    hematoxylin: [1.35, 1.7], chromatin: 0.12, rim: 0, nucleoli: 0, maxOverlap: 0.08,
  },
  stroma: {
    nucleusClass: 2, semiMajor: [10, 16], aspect: [0.22, 0.4], irregularity: 0.04,
    hematoxylin: [0.85, 1.15], chromatin: 0.15, rim: 0.1, nucleoli: 0, maxOverlap: 0.04,
  },
};

interface Nucleus {
  kind: NucleusKind;
  id: number;
  cx: number;
  cy: number;
  semiMajor: number;
  semiMinor: number;
  cos: number;
  sin: number;
  /** Outline r(θ) = 1 + Σ amplitude·cos(k·θ + phase), k = 2, 3, 4. */
  harmonics: { amplitude: number; phase: number }[];
  hematoxylin: number;
  nucleoli: { x: number; y: number; radius: number }[];
}

// Optical densities per unit stain (Ruifrok & Johnston), normalised.
const HEMATOXYLIN_OD = unit([0.65, 0.7, 0.29]);
const EOSIN_OD = unit([0.07, 0.99, 0.11]);

/** One synthetic tile; the same seed and size always give the same tile. */
export function generateSyntheticTile(width: number, height: number, seed: number): SyntheticTile {
  const random = new Random(seed, width, height);
  const tissue = tissueLayout(width, height, random);
  const labels = new Int32Array(width * height);
  const nuclei = placeNuclei(tissue, labels, random);
  const { hematoxylin, eosin } = backgroundStains(tissue, random);
  const chromatin = valueNoise(width, height, 2.5, random);
  for (const nucleus of nuclei) paintNucleus(nucleus, labels, chromatin, hematoxylin, eosin, width, height);
  const image = stainsToRgb(hematoxylin, eosin, random);
  return { image: createRaster(image, width, height, 3), labels: createRaster(labels, width, height) };
}

interface TissueLayout {
  width: number;
  height: number;
  /** Low-frequency field; above `tumorThreshold` lie tumor nests. */
  tumorField: Float32Array;
  tumorThreshold: number;
  /** Above `lumenThreshold`: empty space (lumens, tears). */
  lumenField: Float32Array;
  lumenThreshold: number;
  /** Main direction of the stroma fibres, radians; `fibreWarp` bends them. */
  fibreAngle: number;
  fibreWarp: Float32Array;
}

function tissueLayout(width: number, height: number, random: Random): TissueLayout {
  return {
    width,
    height,
    tumorField: fractalNoise(width, height, 140, random),
    tumorThreshold: random.between(0.4, 0.7),
    lumenField: fractalNoise(width, height, 90, random),
    lumenThreshold: random.between(0.72, 0.85),
    fibreAngle: random.between(0, Math.PI),
    fibreWarp: fractalNoise(width, height, 70, random),
  };
}

type Region = 'tumor' | 'stroma' | 'lumen';

function regionAt(tissue: TissueLayout, x: number, y: number): Region {
  const i = Math.min(tissue.height - 1, Math.max(0, Math.round(y))) * tissue.width + Math.min(tissue.width - 1, Math.max(0, Math.round(x)));
  if (tissue.lumenField[i] > tissue.lumenThreshold - 0.03) return 'lumen';
  return tissue.tumorField[i] > tissue.tumorThreshold ? 'tumor' : 'stroma';
}

function placeNuclei(tissue: TissueLayout, labels: Int32Array, random: Random): Nucleus[] {
  const { width, height } = tissue;
  const area = width * height;
  const counts = [0, 0, 0];
  const nuclei: Nucleus[] = [];
  const tryPlace = (kind: NucleusKind, cx: number, cy: number, angle: number): void => {
    const centre = Math.round(cy) * width + Math.round(cx);
    if (cx >= 0 && cy >= 0 && cx <= width - 1 && cy <= height - 1 && labels[centre] !== 0) return;
    const nucleus = drawNucleus(kind, cx, cy, angle, random);
    if (claimPixels(nucleus, labels, width, height)) {
      nucleus.id = idForClass(kind.nucleusClass, ++counts[kind.nucleusClass]);
      claimPixels(nucleus, labels, width, height, nucleus.id);
      nuclei.push(nucleus);
    }
  };
  const randomPoint = (): [number, number] => [random.between(-4, width + 4), random.between(-4, height + 4)];

  // Tumor nests first and densely, so that their nuclei touch and crowd.
  for (let n = Math.round(area / 50); n > 0; n--) {
    const [x, y] = randomPoint();
    if (regionAt(tissue, x, y) === 'tumor') tryPlace(KINDS.tumor, x, y, random.between(0, Math.PI));
  }
  for (let n = Math.round(area / 1500); n > 0; n--) {
    const [x, y] = randomPoint();
    if (regionAt(tissue, x, y) !== 'stroma') continue;
    tryPlace(KINDS.stroma, x, y, tissue.fibreAngle + 0.3 * random.normal());
  }
  // Lymphocytes: scattered through the stroma, a few among tumor cells, and in dense clusters.
  for (let n = Math.round(area / 2500); n > 0; n--) {
    const [x, y] = randomPoint();
    const region = regionAt(tissue, x, y);
    if (region === 'stroma' || (region === 'tumor' && random.chance(0.15))) tryPlace(KINDS.lymphocyte, x, y, 0);
  }
  for (let clusters = random.integer(0, Math.max(1, Math.round(area / 80000))); clusters > 0; clusters--) {
    const [x0, y0] = randomPoint();
    const spread = random.between(12, 30);
    for (let n = random.integer(10, 40); n > 0; n--) {
      const x = x0 + spread * random.normal();
      const y = y0 + spread * random.normal();
      if (regionAt(tissue, x, y) !== 'lumen') tryPlace(KINDS.lymphocyte, x, y, 0);
    }
  }
  return nuclei;
}

function drawNucleus(kind: NucleusKind, cx: number, cy: number, angle: number, random: Random): Nucleus {
  const semiMajor = random.between(...kind.semiMajor);
  const semiMinor = semiMajor * random.between(...kind.aspect);
  const harmonics = [2, 3, 4].map((k) => ({ amplitude: (random.uniform() * kind.irregularity) / (k - 1), phase: random.between(0, 2 * Math.PI) }));
  const nucleoli = [];
  if (random.chance(kind.nucleoli)) {
    for (let n = random.integer(1, 2); n > 0; n--) {
      const along = random.between(-0.4, 0.4) * semiMajor;
      const across = random.between(-0.4, 0.4) * semiMinor;
      nucleoli.push({
        x: cx + along * Math.cos(angle) - across * Math.sin(angle),
        y: cy + along * Math.sin(angle) + across * Math.cos(angle),
        radius: random.between(1.2, 2.2),
      });
    }
  }
  return {
    kind, id: 0, cx, cy, semiMajor, semiMinor, cos: Math.cos(angle), sin: Math.sin(angle), harmonics,
    hematoxylin: random.between(...kind.hematoxylin), nucleoli,
  };
}

/**
 * Visits the pixels near the nucleus with their depth: the approximate distance in px inside the
 * outline (negative outside). Only pixels deeper than −1 are visited.
 */
function forEachNearPixel(nucleus: Nucleus, width: number, height: number, visit: (index: number, depth: number) => void): void {
  const { cx, cy, semiMajor, semiMinor, cos, sin, harmonics } = nucleus;
  const reach = semiMajor * (1 + harmonics.reduce((sum, h) => sum + h.amplitude, 0)) + 1;
  const x0 = Math.max(0, Math.floor(cx - reach));
  const x1 = Math.min(width - 1, Math.ceil(cx + reach));
  const y0 = Math.max(0, Math.floor(cy - reach));
  const y1 = Math.min(height - 1, Math.ceil(cy + reach));
  const [h2, h3, h4] = harmonics.map(({ amplitude, phase }) => [amplitude * Math.cos(phase), amplitude * Math.sin(phase)]);
  for (let y = y0; y <= y1; y++) {
    for (let x = x0; x <= x1; x++) {
      const dx = x - cx;
      const dy = y - cy;
      const u = (dx * cos + dy * sin) / semiMajor;
      const v = (-dx * sin + dy * cos) / semiMinor;
      const rho = Math.sqrt(u * u + v * v);
      // cos θ, sin θ of the direction and their multiples, without trigonometric calls.
      const c1 = rho > 0 ? u / rho : 1;
      const s1 = rho > 0 ? v / rho : 0;
      const c2 = c1 * c1 - s1 * s1;
      const s2 = 2 * c1 * s1;
      const c3 = c2 * c1 - s2 * s1;
      const s3 = s2 * c1 + c2 * s1;
      const c4 = c2 * c2 - s2 * s2;
      const s4 = 2 * c2 * s2;
      const outline = 1 + h2[0] * c2 - h2[1] * s2 + h3[0] * c3 - h3[1] * s3 + h4[0] * c4 - h4[1] * s4;
      const radialScale = Math.sqrt(semiMajor * semiMajor * c1 * c1 + semiMinor * semiMinor * s1 * s1);
      const depth = (outline - rho) * radialScale;
      if (depth > -1) visit(y * width + x, depth);
    }
  }
}

/**
 * Without `id`: whether the nucleus may be placed (visible, and overlapping earlier nuclei by at
 * most its kind's share). With `id`: writes it into the free pixels it covers.
 */
function claimPixels(nucleus: Nucleus, labels: Int32Array, width: number, height: number, id?: number): boolean {
  let inside = 0;
  let taken = 0;
  forEachNearPixel(nucleus, width, height, (index, depth) => {
    if (depth <= 0) return;
    inside++;
    if (labels[index] !== 0) taken++;
    else if (id !== undefined) labels[index] = id;
  });
  const minimumVisible = Math.PI * nucleus.semiMajor * nucleus.semiMinor * 0.3;
  return inside >= minimumVisible && taken <= nucleus.kind.maxOverlap * inside;
}

function paintNucleus(
  nucleus: Nucleus, labels: Int32Array, chromatin: Float32Array, hematoxylin: Float32Array, eosin: Float32Array, width: number, height: number,
): void {
  const { kind } = nucleus;
  forEachNearPixel(nucleus, width, height, (index, depth) => {
    const owner = labels[index];
    if (owner !== nucleus.id && owner !== 0) return;
    const x = index % width;
    const y = (index - x) / width;
    let density = nucleus.hematoxylin * (1 + kind.chromatin * (2 * chromatin[index] - 1));
    density += kind.rim * Math.max(0, 1 - Math.max(depth, 0) / 1.8);
    for (const nucleolus of nucleus.nucleoli) {
      const d = Math.hypot(x - nucleolus.x, y - nucleolus.y);
      if (d < nucleolus.radius + 0.5) density += 0.7 * Math.min(1, nucleolus.radius + 0.5 - d);
    }
    // Pixels just outside blend into the background (soft edges); owned pixels are fully nucleus.
    const coverage = owner === nucleus.id ? 1 : Math.max(0, 0.6 * (depth + 1));
    hematoxylin[index] += coverage * (density - hematoxylin[index]);
    eosin[index] += coverage * (0.12 - eosin[index]);
  });
}

function backgroundStains(tissue: TissueLayout, random: Random): { hematoxylin: Float32Array; eosin: Float32Array } {
  const { width, height, tumorField, tumorThreshold, lumenField, lumenThreshold, fibreAngle, fibreWarp } = tissue;
  const texture = fractalNoise(width, height, 24, random);
  const fineWarp = valueNoise(width, height, 10, random);
  const fibrePeriod = random.between(7, 12);
  const across = [-Math.sin(fibreAngle) / fibrePeriod, Math.cos(fibreAngle) / fibrePeriod];
  const hematoxylin = new Float32Array(width * height);
  const eosin = new Float32Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      const phase = x * across[0] + y * across[1] + 6 * fibreWarp[i] + 0.8 * fineWarp[i];
      const fibre = 0.5 + 0.5 * Math.sin(2 * Math.PI * phase);
      const stromaH = 0.06 + 0.04 * texture[i];
      const stromaE = 0.12 + 0.14 * fibre + 0.15 * texture[i];
      const cytoplasmH = 0.15 + 0.12 * texture[i];
      const cytoplasmE = 0.22 + 0.2 * texture[i];
      const t = smoothstep(tumorThreshold - 0.04, tumorThreshold + 0.04, tumorField[i]);
      const empty = smoothstep(lumenThreshold - 0.03, lumenThreshold + 0.01, lumenField[i]);
      hematoxylin[i] = (1 - empty) * (t * cytoplasmH + (1 - t) * stromaH) + empty * 0.01;
      eosin[i] = (1 - empty) * (t * cytoplasmE + (1 - t) * stromaE) + empty * 0.03;
    }
  }
  return { hematoxylin, eosin };
}

/** Beer–Lambert with a per-tile stain strength (staining varies between slides) and sensor noise. */
function stainsToRgb(hematoxylin: Float32Array, eosin: Float32Array, random: Random): Uint8Array {
  const hScale = random.between(0.85, 1.15);
  const eScale = random.between(0.8, 1.2);
  const rgb = new Uint8Array(hematoxylin.length * 3);
  for (let i = 0; i < hematoxylin.length; i++) {
    for (let c = 0; c < 3; c++) {
      const density = hScale * hematoxylin[i] * HEMATOXYLIN_OD[c] + eScale * eosin[i] * EOSIN_OD[c];
      const value = 255 * Math.exp(-density) + 2.5 * random.normal();
      rgb[i * 3 + c] = value <= 0 ? 0 : value >= 255 ? 255 : Math.round(value);
    }
  }
  return rgb;
}

/** Smooth random values in [0, 1]: a random grid every `cell` px, interpolated with smoothstep. */
function valueNoise(width: number, height: number, cell: number, random: Random): Float32Array {
  const gridWidth = Math.ceil(width / cell) + 2;
  const gridHeight = Math.ceil(height / cell) + 2;
  const grid = Float32Array.from({ length: gridWidth * gridHeight }, () => random.uniform());
  const offsetX = random.uniform();
  const offsetY = random.uniform();
  const out = new Float32Array(width * height);
  for (let y = 0; y < height; y++) {
    const gy = y / cell + offsetY;
    const row = Math.floor(gy);
    const fy = smoothstep(0, 1, gy - row);
    for (let x = 0; x < width; x++) {
      const gx = x / cell + offsetX;
      const col = Math.floor(gx);
      const fx = smoothstep(0, 1, gx - col);
      const k = row * gridWidth + col;
      const top = grid[k] + fx * (grid[k + 1] - grid[k]);
      const bottom = grid[k + gridWidth] + fx * (grid[k + gridWidth + 1] - grid[k + gridWidth]);
      out[y * width + x] = top + fy * (bottom - top);
    }
  }
  return out;
}

/** Three octaves of value noise, rescaled to [0, 1]. */
function fractalNoise(width: number, height: number, cell: number, random: Random): Float32Array {
  const out = new Float32Array(width * height);
  let total = 0;
  for (let octave = 0, amplitude = 1; octave < 3; octave++, amplitude /= 2) {
    const layer = valueNoise(width, height, cell / 2 ** octave, random);
    for (let i = 0; i < out.length; i++) out[i] += amplitude * layer[i];
    total += amplitude;
  }
  for (let i = 0; i < out.length; i++) out[i] /= total;
  return out;
}

function smoothstep(edge0: number, edge1: number, x: number): number {
  const t = Math.min(1, Math.max(0, (x - edge0) / (edge1 - edge0)));
  return t * t * (3 - 2 * t);
}

function unit(v: readonly [number, number, number]): [number, number, number] {
  const n = Math.hypot(...v);
  return [v[0] / n, v[1] / n, v[2] / n];
}
