import assert from 'node:assert/strict';
import * as path from 'node:path';
import * as os from 'node:os';
import { compareModels } from '../../src/cli/compare-models';
import { V1_025_LAYERS_DIR, imagePath } from '../fixtures';
import { handleBaseline, leakedHandles } from '../helpers';

describe('cli/compareModels', function () {
  this.timeout(30000);

  it(
    'a candidate that fails to load leaves no worker of the reference behind (the CLI would never ' + 'exit)',
    async function () {
      const before = await handleBaseline();
      const missing = path.join(os.tmpdir(), 'no-such-quantized-model-dir');
      await assert.rejects(
        compareModels(V1_025_LAYERS_DIR, missing, [imagePath('parrot.jpg')]),
        /no-such-quantized-model-dir/,
      );
      assert.deepEqual(await leakedHandles(before, { settleMs: 100 }), []);
    },
  );
});
