import assert from 'node:assert/strict';
import { imagenetLabels } from '../../src/zoo/imagenet';
import { fixtureImagenetLabels } from '../fixtures';

/** Class lists differ in spacing and punctuation ('jellyfish' / 'jelly fish'); compare letters and digits only. */
function loose(label: string): string {
  return label.toLowerCase().replace(/[^a-z0-9]/g, '');
}

describe('zoo/imagenet imagenetLabels', function () {
  const fixture = fixtureImagenetLabels(); // 1001 lines, 'background' first

  it('gives 1000 classes, and 1001 with background first', function () {
    const l1000 = imagenetLabels(1000);
    const l1001 = imagenetLabels(1001);
    assert.equal(l1000.length, 1000);
    assert.equal(l1001.length, 1001);
    assert.equal(l1001[0], 'background');
    assert.deepEqual(l1001.slice(1), l1000);
  });

  it("lines up with the fixture's imagenet_labels.txt at the classes images/SOURCES.md names", function () {
    const l1000 = imagenetLabels(1000);
    const l1001 = imagenetLabels(1001);
    // 1000-class indices from images/SOURCES.md; the 1001-class index is one more.
    const expected: Array<[number, string]> = [
      [88, 'macaw'],
      [967, 'espresso'],
      [934, 'hotdog'],
      [319, 'dragonfly'],
      [285, 'egyptiancat'],
      [281, 'tabby'],
      [652, 'militaryuniform'],
      [24, 'greatgreyowl'],
    ];
    for (const [index, name] of expected) {
      assert.ok(loose(l1000[index]).startsWith(name), `${index}: ${l1000[index]}`);
      assert.equal(l1001[index + 1], l1000[index]);
      assert.equal(loose(l1001[index + 1]), loose(fixture[index + 1]));
    }
  });

  it('matches every fixture class loosely, and differs in spelling only where listed', function () {
    const l1001 = imagenetLabels(1001);
    assert.equal(fixture.length, 1001);
    const exactDifferences: string[] = [];
    for (let i = 0; i < 1001; i++) {
      assert.equal(loose(l1001[i]), loose(fixture[i]), `index ${i}`);
      if (l1001[i] !== fixture[i]) exactDifferences.push(`${i}: ${l1001[i]} / ${fixture[i]}`);
    }
    // The one spelling difference found between the two lists (tfjs-models / google-coral).
    assert.deepEqual(exactDifferences, ['108: jelly fish / jellyfish']);
  });

  it('rejects other class counts with the valid values', function () {
    assert.throws(
      () => imagenetLabels(999 as 1000),
      /classes must be 1000 or 1001 \(1001 = background first\), got 999/,
    );
  });
});
