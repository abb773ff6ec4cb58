// Whole slides: `histonuc predict SLIDE` calls isSlidePath, then predictSlide.
export { DEFAULT_MARGIN, DEFAULT_TILE, predictSlide, type SlideOutputPaths, type SlidePrediction, type SlidePredictOptions, type SlideSummary } from './slide-predict.js';
export { isSlidePath, Slide, SLIDE_MIN_PIXELS } from './slide-source.js';
export { openFinder, type ModelSpec, type NucleusFinder } from './finder.js';
export { runWorkUnit, TileProcessor, type TileResult, type WorkUnit } from './work-unit.js';
export { planSlideTiles, type SlideTile } from './tile-grid.js';
export type { Rect } from './model-view.js';
