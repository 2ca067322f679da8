import assert from 'node:assert/strict';
import { readConfig } from '../../app/config';
import { buildFlow, FLOW_IDS } from '../../app/flow';

const broker = { MQTT_URL: 'mqtt://10.0.0.2:1883' };
const node = (flow: ReturnType<typeof buildFlow>, id: string) =>
  flow.find((n) => n.id === id) as Record<string, unknown>;

describe('npm start: frames over MQTT (PUBLISH_FRAMES, FRAMES_TOPIC)', function () {
  it('PUBLISH_FRAMES=1 publishes the camera frames at FRAMES_QOS and still classifies them here', function () {
    const config = readConfig(
      { ...broker, CAMERA_CMD: 'rpicam-vid -o -', PUBLISH_FRAMES: '1', FRAMES_QOS: '1' },
      '/srv',
    );
    const flow = buildFlow(config, config.mqttUrl as string);
    const camera = node(flow, FLOW_IDS.camera);
    assert.deepEqual(
      [camera.publish, camera.qos, camera.prefix, camera.wires],
      [true, '1', 'mobilenet', [[FLOW_IDS.classify]]],
    );
    assert.equal(node(flow, FLOW_IDS.broker).protocol, '5', 'user properties need MQTT 5');
  });

  it('PUBLISH_FRAMES=only leaves the classifying to the pool', function () {
    const config = readConfig({ ...broker, CAMERA_CMD: 'rpicam-vid -o -', PUBLISH_FRAMES: 'only' }, '/srv');
    const camera = node(buildFlow(config, config.mqttUrl as string), FLOW_IDS.camera);
    assert.deepEqual([camera.qos, camera.wires], ['0', [[]]]);
  });

  it('FRAMES_TOPIC makes a pool member: frames from the broker, labels at QoS 1, its own availability', function () {
    const env = {
      ...broker,
      FRAMES_TOPIC: '$share/classifiers/mobilenet/+/frame',
      FRAMES_MAX_AGE_MS: '5000',
      FRAMES_STEP_BACK_MS: '1500',
    };
    const config = { ...readConfig(env, '/srv'), memberId: 'pi-4-abc123' };
    const flow = buildFlow(config, config.mqttUrl as string);
    const camera = node(flow, FLOW_IDS.camera);
    assert.deepEqual(
      [camera.kind, camera.topic, camera.qos, camera.receiveMaximum, camera.maxAge, camera.stepBack],
      ['mqtt', '$share/classifiers/mobilenet/+/frame', '1', 4, 5, 1.5],
    );
    const labels = node(flow, FLOW_IDS.labels);
    assert.deepEqual([labels.qosLabels, labels.member], [1, 'pi-4-abc123']);
    assert.equal(node(flow, FLOW_IDS.broker).clientId, 'mobilenet_pi-4-abc123', 'the same session after a restart');
  });

  it('refuses what cannot work, naming the variable', function () {
    assert.throws(
      () => readConfig({ PUBLISH_FRAMES: '1' }, '/srv'),
      /PUBLISH_FRAMES needs an MQTT 5 broker in MQTT_URL/,
    );
    assert.throws(() => readConfig({ FRAMES_TOPIC: 'a/+/frame' }, '/srv'), /FRAMES_TOPIC needs an MQTT 5 broker/);
    assert.throws(
      () => readConfig({ ...broker, FRAMES_TOPIC: 'a/+/frame', FRAMES_STEP_BACK_MS: 'soon' }, '/srv'),
      /FRAMES_STEP_BACK_MS must be a whole number of milliseconds/,
    );
    assert.throws(() => readConfig({ ...broker, PUBLISH_FRAMES: 'yes' }, '/srv'), /PUBLISH_FRAMES must be 1/);
    assert.throws(
      () => readConfig({ ...broker, PUBLISH_FRAMES: '1', FRAMES_QOS: '2' }, '/srv'),
      /FRAMES_QOS must be 0/,
    );
    assert.throws(
      () => readConfig({ ...broker, FRAMES_TOPIC: 'a/+/frame', CAMERA_URL: 'http://cam/stream' }, '/srv'),
      /unset CAMERA_CMD and CAMERA_URL/,
    );
    assert.throws(
      () => readConfig({ ...broker, FRAMES_TOPIC: 'a/+/frame', FRAMES_RECEIVE_MAXIMUM: '0' }, '/srv'),
      /FRAMES_RECEIVE_MAXIMUM must be at least 1/,
    );
  });
});
