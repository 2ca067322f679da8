import assert from 'node:assert/strict';
import {
  classifierOptions as readOptions,
  settingsHash,
  type ModelNodeConfig,
} from '../../../nodes/mobilenet-model/model-settings';
import { defaultWorkers } from '../../../src';
import { nodeMessages } from '../../helpers/node-red';

const t = nodeMessages('mobilenet-model');
const classifierOptions = (config: ModelNodeConfig) => readOptions(config, t);

describe('model config node settings', function () {
  it('defaults to the smallest catalog MobileNet on auto backend, queue 4, drop-oldest, cover', function () {
    assert.deepEqual(classifierOptions({}), {
      model: 'mobilenet_v1_0.25_224',
      labels: undefined,
      backend: 'auto',
      queueSize: 4,
      queuePolicy: 'drop-oldest',
      fit: 'cover',
      float: false,
      workers: defaultWorkers(),
      engine: undefined,
    });
  });

  it('reads editor strings: path source, labels, queue size as text', function () {
    const options = classifierOptions({
      source: 'path',
      path: ' /models/tm ',
      labels: ' /models/labels.txt ',
      queueSize: '8',
      queuePolicy: 'wait',
      backend: 'cpu',
      fit: 'fill',
      float: true,
      workers: '2',
    });
    assert.deepEqual(options, {
      model: '/models/tm',
      labels: '/models/labels.txt',
      backend: 'cpu',
      queueSize: 8,
      queuePolicy: 'wait',
      fit: 'fill',
      float: true,
      workers: 2,
      engine: undefined,
    });
  });

  it('names the bad value and the valid ones', function () {
    assert.throws(
      () => classifierOptions({ backend: 'gpu' }),
      /Unknown backend "gpu". Valid values are: auto, wasm, tfjs-node, cpu/,
    );
    assert.throws(() => classifierOptions({ queuePolicy: 'lifo' }), /Valid values are: drop-oldest, drop-newest, wait/);
    assert.throws(() => classifierOptions({ fit: 'stretch' }), /Valid values are: cover, fill, contain/);
    assert.throws(() => classifierOptions({ queueSize: '0' }), /Queue size must be a whole number ≥ 1, got 0/);
    assert.throws(() => classifierOptions({ queueSize: 2.5 }), /got 2.5/);
    assert.throws(() => classifierOptions({ source: 'path', path: '  ' }), /No model path or URL given/);
    assert.throws(() => classifierOptions({ source: 'hub' as 'path' }), /Unknown model source "hub"/);
    assert.throws(() => classifierOptions({ workers: '0' }), /0/);
  });

  it('hashes equal settings equally and any change differently', function () {
    const base = classifierOptions({});
    assert.equal(
      settingsHash(base),
      settingsHash(classifierOptions({ catalogModel: 'mobilenet_v1_0.25_224', queueSize: '4' })),
    );
    const variants = [
      { queueSize: 5 },
      { backend: 'wasm' },
      { fit: 'fill' },
      { float: true },
      { labels: 'x.txt' },
      { catalogModel: 'mobilenet_v1_0.50_224' },
      { queuePolicy: 'wait' },
    ];
    const hashes = new Set(variants.map((v) => settingsHash(classifierOptions(v))));
    assert.equal(hashes.size, variants.length);
    assert.ok(!hashes.has(settingsHash(base)));
  });
});
