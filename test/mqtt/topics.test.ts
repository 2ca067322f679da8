import assert from 'node:assert/strict';
import { fixtureImagenetLabels } from '../fixtures';
import { MqttConfigError } from '../../src/mqtt/errors';
import { validateWatchedLabel } from '../../src/mqtt/hysteresis';
import { labelTopicClash, publisherTopics, SOURCE_TOPIC_WORDS, slugify, validatePrefix } from '../../src/mqtt/topics';

describe('mqtt/topics', () => {
  it('slugifies label names into one safe topic level', () => {
    assert.equal(slugify('Egyptian cat'), 'egyptian_cat');
    assert.equal(slugify('  Tabby,  tabby cat '), 'tabby,_tabby_cat');
    assert.equal(slugify('a/b#c+d'), 'abcd');
    assert.throws(() => slugify('/#+'), MqttConfigError);
  });

  it('gives every real ImageNet label a distinct, wildcard-free level', () => {
    const labels = fixtureImagenetLabels();
    const slugs = labels.map(slugify);
    for (const s of slugs) assert.doesNotMatch(s, /[/#+\s]/);
    // Two ImageNet classes share a name ("crane" the bird and the machine; "maillot" twice).
    assert.equal(new Set(slugs).size, new Set(labels.map((l) => l.toLowerCase())).size);
  });

  it('builds the documented topics under a prefix', () => {
    const t = publisherTopics('home/mobilenet');
    assert.equal(t.available, 'home/mobilenet/available');
    assert.equal(t.stats, 'home/mobilenet/stats');
    const porch = t.source('Front Porch');
    assert.deepEqual(
      [porch.label, porch.labels, porch.watched('tabby, tabby cat')],
      [
        'home/mobilenet/front_porch/label',
        'home/mobilenet/front_porch/labels',
        'home/mobilenet/front_porch/tabby,_tabby_cat',
      ],
    );
  });

  it('names every level the publisher uses under a source as taken, so no label can land on one', () => {
    const porch = publisherTopics('home/mobilenet').source('porch');
    const used = [porch.label, porch.labels, porch.state, porch.stateAttributes, porch.image, porch.teach];
    for (const topic of used) {
      for (const level of topic.replace('home/mobilenet/porch/', '').split('/')) {
        assert.ok(SOURCE_TOPIC_WORDS.includes(level), `${topic}: "${level}" is not in SOURCE_TOPIC_WORDS`);
      }
    }
    assert.match(labelTopicClash('State') ?? '', /label "State" would be published on <prefix>\/<source>\/state/);
    assert.equal(labelTopicClash('door state'), undefined);
    assert.equal(labelTopicClash('tabby, tabby cat'), undefined);
    // Watched labels (ON/OFF topics) are refused the same way, at configuration.
    assert.throws(
      () => validateWatchedLabel({ label: 'image' }),
      (e: unknown) =>
        e instanceof MqttConfigError &&
        /watched label "image" would be published on <prefix>\/<source>\/image/.test(e.message),
    );
    // No ImageNet label is one of them: watching ImageNet's classes is never refused for this.
    assert.deepEqual(
      fixtureImagenetLabels().filter((l) => labelTopicClash(l) !== undefined),
      [],
    );
  });

  it('rejects prefixes with wildcards or empty levels, naming the rule', () => {
    for (const bad of ['', 'a/#', 'a/+/b', '/a', 'a/', 'a//b'])
      assert.throws(() => validatePrefix(bad), /topic prefix/);
  });
});
