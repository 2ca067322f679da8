import assert from 'node:assert/strict';
import { Classifier } from '../../src/runner/classifier';
import { V1_025_LAYERS_DIR, readImage } from '../fixtures';

const MODEL = V1_025_LAYERS_DIR;

/** The message of the rejection, or a failure naming what happened instead. */
async function rejectionOf(promise: Promise<unknown>): Promise<string> {
  const outcome = await promise.then(
    () => 'resolved',
    (error: unknown) => error,
  );
  assert.ok(outcome instanceof Error, `expected a rejection, got ${String(outcome)}`);
  return outcome.message;
}

describe('library options: each bad value named, with what is accepted', function () {
  this.timeout(120_000);

  const badLoads: Array<[string, unknown, RegExp]> = [
    ['null', null, /^Classifier options must be an object such as \{model: "mobilenet_v1_0\.25_224"\}, got null$/],
    [
      'a model name instead of options',
      'mobilenet_v1_0.25_224',
      /^Classifier options must be an object .*, got the string "mobilenet_v1_0\.25_224"$/,
    ],
    [
      'no model',
      {},
      new RegExp(
        String.raw`^model must be a catalog name, a directory holding model\.json, a \.tflite file or an` +
          String.raw` http\(s\) URL, got undefined$`,
      ),
    ],
    ['model a number', { model: 42 }, /^model must be .*, got 42$/],
    [
      'labels a number',
      { model: MODEL, labels: 42 },
      /^labels must be the path of a labels file \(one per line\) or an array of label names, got 42$/,
    ],
    [
      'backend unknown',
      { model: MODEL, backend: 'gpu' },
      /^backend must be one of "auto", "wasm", "tfjs-node", "cpu", got the string "gpu"$/,
    ],
    [
      'queueSize a string',
      { model: MODEL, queueSize: '4' },
      /^queueSize must be a whole number ≥ 1, got the string "4"$/,
    ],
    ['queueSize 0', { model: MODEL, queueSize: 0 }, /^queueSize must be a whole number ≥ 1, got 0$/],
    [
      'queuePolicy unknown',
      { model: MODEL, queuePolicy: 'drop' },
      /^queuePolicy must be one of "drop-oldest", "drop-newest", "wait", got the string "drop"$/,
    ],
    [
      'fit unknown',
      { model: MODEL, fit: 'stretch' },
      /^fit must be one of "cover", "fill", "contain", got the string "stretch"$/,
    ],
    ['maxPixels negative', { model: MODEL, maxPixels: -1 }, /^maxPixels must be a positive number of pixels, got -1$/],
    [
      'maxMetadataBytes an array',
      { model: MODEL, maxMetadataBytes: [1] },
      /^maxMetadataBytes must be a positive number of bytes, got an array \[1\]$/,
    ],
    ['float a string', { model: MODEL, float: 'yes' }, /^float must be true or false, got the string "yes"$/],
    [
      'workers 0',
      { model: MODEL, workers: 0 },
      /^workers must be a whole number from 1 to 16 \(inference .*\), got 0$/,
    ],
    ['workers 17', { model: MODEL, workers: 17 }, /^workers must be a whole number from 1 to 16 .*, got 17$/],
    ['workers 1.5', { model: MODEL, workers: 1.5 }, /^workers must be a whole number from 1 to 16 .*, got 1\.5$/],
    [
      'workers a string',
      { model: MODEL, workers: '2' },
      /^workers must be a whole number from 1 to 16 .*, got the string "2"$/,
    ],
    [
      'normalization incomplete',
      { model: MODEL, normalization: { scale: 2 } },
      /^normalization must be \{scale, offset\} with finite numbers .*, got an object \{"scale":2\}$/,
    ],
    ['onProgress not a function', { model: MODEL, onProgress: true }, /^onProgress must be a function, got true$/],
    [
      'a classify option given to load',
      { model: MODEL, topK: 3 },
      /^Classifier options has unknown option "topK"; accepted: model, labels, .*unfused, float, workers$/,
    ],
  ];
  for (const [what, options, message] of badLoads) {
    it(`Classifier.load with ${what}`, async function () {
      assert.match(await rejectionOf(Classifier.load(options as never)), message);
    });
  }

  describe('classify()', function () {
    let classifier: Classifier;
    const coffee = readImage('coffee.png');

    before(async function () {
      classifier = await Classifier.load({ model: MODEL, queuePolicy: 'wait' });
    });

    after(async function () {
      await classifier?.dispose();
    });

    const badClassifies: Array<[string, unknown, RegExp]> = [
      ['null options', null, /^classify options must be an object such as \{topK: 5, threshold: 0\.2\}, got null$/],
      ['a number as options', 5, /^classify options must be an object .*, got 5$/],
      ['topK an array', { topK: [1] }, /^topK must be a whole number ≥ 1, got an array \[1\]$/],
      ['topK a string', { topK: '3' }, /^topK must be a whole number ≥ 1, got the string "3"$/],
      ['topK a fraction', { topK: 1.5 }, /^topK must be a whole number ≥ 1, got 1\.5$/],
      ['threshold a string', { threshold: '0.5' }, /^threshold must be a number from 0 to 1, got the string "0\.5"$/],
      ['threshold NaN', { threshold: Number.NaN }, /^threshold must be a number from 0 to 1, got NaN$/],
      [
        'deny a string',
        { deny: 'person' },
        new RegExp(
          String.raw`^deny must be an array of label names, for example \["cat", "dog"\], got the string` +
            String.raw` "person" \(write \["person"\] for one label\)$`,
        ),
      ],
      [
        'allow a string',
        { allow: 'cat' },
        /^allow must be an array of label names, .*got the string "cat" \(write \["cat"\] for one label\)$/,
      ],
      [
        'allow with a number in it',
        { allow: ['cat', 3] },
        /^allow must be an array of label names \(strings\), but allow\[1\] is 3$/,
      ],
      [
        'roi null',
        { roi: null },
        /^ROI must be an object \{x, y, width, height\} \(pixels, or fractions 0\.\.1 of the frame\), got null$/,
      ],
      ['roi an array', { roi: [0, 0, 1, 1] }, /^ROI must be an object .*, got an array \[0,0,1,1\]$/],
      [
        'roi a missing field',
        { roi: { x: 0, y: 0, width: 1 } },
        /^ROI height must be a finite number .*, got undefined$/,
      ],
      ['fit unknown', { fit: 'stretch' }, /^fit must be one of "cover", "fill", "contain", got the string "stretch"$/],
      [
        'a misspelt option',
        { top: 3 },
        new RegExp(
          '^classify options has unknown option "top"; ' +
            'accepted: topK, threshold, allow, deny, roi, fit, embedding, keepInput, inputJpeg$',
        ),
      ],
    ];
    for (const [what, options, message] of badClassifies) {
      it(`with ${what}`, async function () {
        assert.match(await rejectionOf(classifier.classify(coffee, options as never)), message);
      });
    }

    it('with a file path instead of bytes: says to read the file first', async function () {
      assert.match(
        await rejectionOf(classifier.classify('coffee.png' as never)),
        new RegExp(
          String.raw`^image must be a Buffer\/Uint8Array of encoded bytes or a raw image \{data, width, height,` +
            String.raw` channels\}, got the string "coffee\.png" \(read a file first with` +
            String.raw` image\.readImageFile\(path\)`,
        ),
      );
    });

    it('still classifies after every refusal', async function () {
      const result = await classifier.classify(coffee, { topK: 1, deny: ['cup'] });
      assert.equal(result.top?.label, 'espresso');
    });
  });
});
