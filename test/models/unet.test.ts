import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { UNet } from '../../src/models/index.js';
import { countParameters, describeParityWithPyTorch } from './reference.js';

describe('UNet', () => {
  it('has 1,944,117 parameters at width 16 (the reference) and 31,043,781 at width 64 (the original widths)', () => {
    for (const [width, expected] of [[16, 1_944_117], [64, 31_043_781]] as const) {
      const model = new UNet({ width });
      assert.equal(countParameters(model), expected);
      model.dispose();
    }
  });

  describeParityWithPyTorch('unet', (options) => new UNet(options));
});
