export const SOAK_IDS = {
  model: 'soak_model',
  broker: 'soak_broker',
  camera: 'soak_camera',
  classify: 'soak_classify',
  labels: 'soak_labels',
  catcher: 'soak_catch',
  count: 'soak_count',
} as const;
export const SOAK_PREFIX = 'soak';
export const SOAK_SOURCE = 'soakcam';

export interface SoakFlowOptions {
  modelPath: string;
  backend: string;
  brokerUrl: string;
  cameraUrl: string;
  queueSize: number;
}

// Every error a node reports lands here. A dropped frame is the queue policy at work and counted
// apart; anything else is a failure the soak reports (and the first message of each kind).
const COUNT_ERRORS = `const c = global.get('soak');
const message = (msg.error && msg.error.message) || String(msg.error);
const from = (msg.error && msg.error.source && msg.error.source.type) || 'unknown';
if (from === 'mobilenet-classify' && /^Frame dropped/.test(message)) c.dropped++;
else {
  c.errors++;
  if (!c.firstErrors[from]) c.firstErrors[from] = message;
}
return null;`;

/**
 * What npm start runs, minus the HTTP endpoint: an MJPEG camera → classify → label publisher →
 * broker, all in Node-RED, with the model node's own queue and drop policy. Labels go at QoS 1 so
 * the broker acknowledges each: a count at the subscriber is then a count of what was delivered.
 */
export function soakFlow(o: SoakFlowOptions): object[] {
  const tab = 'soak_tab';
  return [
    { id: tab, type: 'tab', label: 'soak' },
    {
      id: SOAK_IDS.model,
      type: 'mobilenet-model',
      name: 'soak model',
      source: 'path',
      path: o.modelPath,
      backend: o.backend,
      queueSize: o.queueSize,
      queuePolicy: 'drop-oldest',
      fit: 'cover',
    },
    {
      id: SOAK_IDS.broker,
      type: 'mobilenet-mqtt-broker',
      name: 'broker',
      url: o.brokerUrl,
      clientId: '',
      keepalive: 30,
      cleanSession: true,
      protocol: '3.1.1',
      verifyTls: true,
    },
    {
      id: SOAK_IDS.camera,
      type: 'mobilenet-camera',
      z: tab,
      name: SOAK_SOURCE,
      source: SOAK_SOURCE,
      kind: 'mjpeg-url',
      url: o.cameraUrl,
      maxFps: 0,
      autostart: true,
      restartMin: 1,
      restartMax: 5,
      wires: [[SOAK_IDS.classify]],
    },
    {
      id: SOAK_IDS.classify,
      type: 'mobilenet-classify',
      z: tab,
      name: 'classify',
      model: SOAK_IDS.model,
      topK: 5,
      threshold: 0,
      keepImage: false,
      wires: [[SOAK_IDS.labels]],
    },
    {
      id: SOAK_IDS.labels,
      type: 'mobilenet-mqtt-labels',
      z: tab,
      name: 'labels',
      broker: SOAK_IDS.broker,
      prefix: SOAK_PREFIX,
      source: '',
      watched: [{ label: 'tabby', on: 0.5, off: 0.3, frames: 2, hold: 1 }],
      labelsMode: 'every',
      statsInterval: 10,
      discovery: true,
      qosLabels: 1,
      wires: [],
    },
    {
      id: SOAK_IDS.catcher,
      type: 'catch',
      z: tab,
      name: 'errors',
      scope: null,
      uncaught: false,
      wires: [[SOAK_IDS.count]],
    },
    { id: SOAK_IDS.count, type: 'function', z: tab, name: 'count errors', func: COUNT_ERRORS, outputs: 1, wires: [] },
  ];
}
