// The slide run that test/slide/predict-slide.test.ts makes in-process and in a child process.
import { STAND_IN_WINDOW } from './fixtures.js';

export const RUN_SETTINGS = { window: STAND_IN_WINDOW, slide: { tileSize: 256, margin: 96 } } as const;
