// A slide run in its own process, for the test that kills one mid-slide:
//   node dist/test/slide/slide-child.js SLIDE OUT_DIR
import { predictSlide } from '../../src/slide/slide-predict.js';
import { StandInFinder } from '../../src/slide/stand-in-finder.js';
import { RUN_SETTINGS } from './run-settings.js';

const [slide, outDir] = process.argv.slice(2);
await predictSlide({ slide, outDir, name: 'run', finder: new StandInFinder(0.25, RUN_SETTINGS.window), ...RUN_SETTINGS.slide });
