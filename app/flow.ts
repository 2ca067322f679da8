import { findCatalogEntry } from '../src';
import type { AppConfig } from './config';

type FlowNode = Record<string, unknown> & { id: string; type: string };

const TAB = 'mobilenet_tab';
const IDS = {
  model: 'mobilenet_model',
  broker: 'mobilenet_broker',
  camera: 'mobilenet_camera',
  classify: 'mobilenet_classify',
  labels: 'mobilenet_labels',
  httpIn: 'mobilenet_http_in',
  httpBody: 'mobilenet_http_body',
  httpClassify: 'mobilenet_http_classify',
  httpAnswer: 'mobilenet_http_answer',
  httpResponse: 'mobilenet_http_response',
  httpCatch: 'mobilenet_http_catch',
  httpError: 'mobilenet_http_error',
  labelSet: 'mobilenet_label_set',
  teach: 'mobilenet_teach',
  teachIn: 'mobilenet_teach_in',
  teachRequest: 'mobilenet_teach_request',
  labelsIn: 'mobilenet_labels_in',
  labelsRequest: 'mobilenet_labels_request',
  forgetIn: 'mobilenet_forget_in',
  forgetRequest: 'mobilenet_forget_request',
  reviewIn: 'mobilenet_review_in',
  reviewRequest: 'mobilenet_review_request',
  teachAnswer: 'mobilenet_teach_answer',
  teachCatch: 'mobilenet_teach_catch',
  teachError: 'mobilenet_teach_error',
  mqttTeach: 'mobilenet_mqtt_teach',
} as const;

/** What both classify nodes (camera frames and POST /classify) share, so they cannot drift apart. */
const CLASSIFY_SETTINGS = {
  type: 'mobilenet-classify',
  z: TAB,
  model: IDS.model,
  labelSet: IDS.labelSet,
  emptySet: 'imagenet',
  topK: 5,
  threshold: 0,
  keepImage: false,
};

/** `a b "c d"` → ['a', 'b "c d"']: the camera node splits its args itself, never through a shell. */
function splitCommand(line: string): { command: string; args: string } {
  const trimmed = line.trim();
  const space = trimmed.search(/\s/);
  return space < 0
    ? { command: trimmed, args: '' }
    : { command: trimmed.slice(0, space), args: trimmed.slice(space + 1).trim() };
}

/** The camera's frames also (or only) go to the broker, for a classifier pool (PUBLISH_FRAMES). */
function framePublishing(config: AppConfig): Record<string, unknown> {
  if (config.publishFrames === 'off') return {};
  return { broker: IDS.broker, publish: true, prefix: config.prefix, qos: String(config.framesQos ?? 0) };
}

/** A pool member (FRAMES_TOPIC): frames come from the broker's shared subscription, not a camera. */
function memberNode(config: AppConfig): FlowNode {
  return {
    id: IDS.camera,
    type: 'mobilenet-camera',
    z: TAB,
    name: 'frames from MQTT',
    kind: 'mqtt',
    broker: IDS.broker,
    prefix: config.prefix,
    topic: config.framesTopic,
    qos: String(config.framesQos ?? 1),
    receiveMaximum: config.framesReceiveMaximum,
    maxAge: config.framesMaxAgeMs / 1000,
    stepBack: config.framesStepBackMs / 1000,
    member: config.memberId,
    x: 140,
    y: 120,
    wires: [[IDS.classify]],
  };
}

function cameraNode(config: AppConfig): FlowNode {
  if (config.framesTopic) return memberNode(config);
  const common = {
    ...framePublishing(config),
    id: IDS.camera,
    type: 'mobilenet-camera',
    z: TAB,
    name: 'frames',
    maxFps: config.maxFps,
    autostart: true,
    restartMin: 1,
    restartMax: 30,
    x: 140,
    y: 120,
    // PUBLISH_FRAMES=only: the pool classifies this camera's frames, this board does not.
    wires: [config.publishFrames === 'only' ? [] : [IDS.classify]],
  };
  switch (config.camera.kind) {
    case 'command':
      return { ...common, source: 'camera', kind: 'command', ...splitCommand(config.camera.command) };
    case 'url': {
      // Snapshot endpoints answer one JPEG; streams answer multipart/x-mixed-replace.
      const snapshot =
        process.env.CAMERA_URL_KIND === 'snapshot' ||
        (process.env.CAMERA_URL_KIND !== 'mjpeg' && /\.(jpe?g)(\?|$)|snapshot|capture/i.test(config.camera.url));
      return {
        ...common,
        source: 'camera',
        kind: snapshot ? 'snapshot-url' : 'mjpeg-url',
        url: config.camera.url,
        interval: 1 / Math.max(config.maxFps, 0.1),
      };
    }
    case 'folder':
      return {
        ...common,
        source: 'frames',
        kind: 'folder',
        dir: config.camera.dir,
        folderMode: 'watch',
        interval: 0.5,
        ...config.framesRetention,
      };
  }
}

const HTTP_BODY = `// POST /classify: the image is the raw body, or the multipart field "image".
const files = (msg.req && msg.req.files) || [];
const file = files.find((f) => f.fieldname === 'image') || files[0];
if (file) msg.payload = file.buffer;
msg.frame = { source: 'http', seq: 0, ts: Date.now() };
return msg;`;

const HTTP_ANSWER = `const c = msg.classification;
msg.payload = { top: c.top, predictions: c.predictions, model: c.model, timings: c.timings };
msg.statusCode = 200;
return msg;`;

// A bad image or a wrong type is the caller's fault (400); a dropped frame or a model that is not
// loaded is the service's (503: try again).
const HTTP_ERROR = `const message = (msg.error && msg.error.message) || '';
msg.statusCode = /^(ImageError|TypeError)\\b/.test(message) && !/dropped/i.test(message) ? 400 : 503;
msg.payload = { error: msg.error ? msg.error.message : 'classification failed' };
return msg;`;

// The label endpoints: each request becomes a teach command; the teach node answers with the set.
const TEACH_REQUEST = `// POST /teach?label=…: the image is the raw body (bounded before it got here),
// or the multipart field "image".
const files = (msg.req && msg.req.files) || [];
const file = files.find((f) => f.fieldname === 'image') || files[0];
if (file) msg.payload = file.buffer;
msg.command = 'add';
msg.label = msg.req.query.label;
return msg;`;

const LABELS_REQUEST = `msg.command = 'list';
msg.thumbnails = true;
return msg;`;

const FORGET_REQUEST = `msg.command = 'forget';
msg.label = msg.req.params.label;
return msg;`;

const REVIEW_REQUEST = `msg.command = 'review';
return msg;`;

const TEACH_ANSWER = `msg.statusCode = 200;
if (msg.command === 'list') msg.payload = { classes: msg.payload };
else if (msg.command !== 'review') msg.payload = { classes: msg.classes, added: msg.teach.added };
return msg;`;

// A refused image, label or class is the caller's mistake (400, 404 for a class the set does not hold);
// a set or model that cannot be used is the service's (503).
const TEACH_ERROR = `const message = (msg.error && msg.error.message) || '';
const callers = /^(ImageError|TypeError|LabelSetError|TeachInputError)\\b/.test(message);
const services = /model-mismatch|corrupt|taught with/i.test(message);
msg.statusCode = /^LabelSetError\\b.* has no (class|example) /.test(message) ? 404 : callers && !services ? 400 : 503;
msg.payload = { error: message.replace(/^\\w*Error: /, '') || 'the label set could not be changed' };
return msg;`;

/** POST /teach, GET /labels, DELETE /labels/<label>, GET /labels/review: guarded in app/start (teach-guard). */
function labelNodes(): FlowNode[] {
  const y = 360;
  const request = (
    inId: string,
    fnId: string,
    name: string,
    url: string,
    method: string,
    func: string,
    row: number,
  ): FlowNode[] => [
    {
      id: inId,
      type: 'http in',
      z: TAB,
      name,
      url,
      method,
      upload: method === 'post',
      x: 150,
      y: y + row * 50,
      wires: [[fnId]],
    },
    {
      id: fnId,
      type: 'function',
      z: TAB,
      name: `${name} → command`,
      func,
      outputs: 1,
      x: 360,
      y: y + row * 50,
      wires: [[IDS.teach]],
    },
  ];
  return [
    ...request(IDS.teachIn, IDS.teachRequest, 'POST /teach', '/teach', 'post', TEACH_REQUEST, 0),
    ...request(IDS.labelsIn, IDS.labelsRequest, 'GET /labels', '/labels', 'get', LABELS_REQUEST, 1),
    ...request(
      IDS.forgetIn,
      IDS.forgetRequest,
      'DELETE /labels/<label>',
      '/labels/:label',
      'delete',
      FORGET_REQUEST,
      2,
    ),
    ...request(IDS.reviewIn, IDS.reviewRequest, 'GET /labels/review', '/labels/review', 'get', REVIEW_REQUEST, 3),
    {
      id: IDS.teach,
      type: 'mobilenet-teach',
      z: TAB,
      name: 'teach',
      labelSet: IDS.labelSet,
      x: 580,
      y: y + 75,
      wires: [[IDS.teachAnswer]],
    },
    {
      id: IDS.teachAnswer,
      type: 'function',
      z: TAB,
      name: 'set as JSON',
      func: TEACH_ANSWER,
      outputs: 1,
      x: 760,
      y: y + 75,
      wires: [[IDS.httpResponse]],
    },
    // Teach commands from MQTT: their answers go nowhere (an error is logged), unlike the HTTP ones.
    {
      id: IDS.mqttTeach,
      type: 'mobilenet-teach',
      z: TAB,
      name: 'teach (mqtt)',
      labelSet: IDS.labelSet,
      x: 760,
      y: 120,
      wires: [],
    },
    {
      id: IDS.teachCatch,
      type: 'catch',
      z: TAB,
      name: 'refused',
      scope: [IDS.teach],
      uncaught: false,
      x: 580,
      y: y + 200,
      wires: [[IDS.teachError]],
    },
    {
      id: IDS.teachError,
      type: 'function',
      z: TAB,
      name: 'error as JSON',
      func: TEACH_ERROR,
      outputs: 1,
      x: 760,
      y: y + 200,
      wires: [[IDS.httpResponse]],
    },
  ];
}

/** The bundled flow: frames → classify → label publisher, and POST /classify answering JSON. */
export function buildFlow(config: AppConfig, brokerUrl: string): FlowNode[] {
  const catalog = findCatalogEntry(config.model);
  return [
    {
      id: TAB,
      type: 'tab',
      label: 'MobileNet camera classifier',
      info: 'Generated by npm start from environment variables (see README).',
    },
    {
      id: 'mobilenet_comment',
      type: 'comment',
      z: TAB,
      name: 'Frames → classify → MQTT labels; POST /classify answers JSON',
      info:
        'Generated at every `npm start` from MOBILENET_MODEL, MOBILENET_WORKERS, MQTT_URL, MQTT_PREFIX, CAMERA_CMD, ' +
        'CAMERA_URL, FRAMES_DIR and FRAMES_RETENTION. Edit the environment, not this flow: it is rewritten on the ' +
        'next start.',
      x: 250,
      y: 60,
      wires: [],
    },
    {
      id: IDS.model,
      type: 'mobilenet-model',
      name: catalog ? catalog.name : 'model',
      source: catalog ? 'catalog' : 'path',
      catalogModel: catalog ? catalog.name : '',
      path: catalog ? '' : config.model,
      backend: 'auto',
      engine: config.engine ?? '',
      queueSize: 4,
      queuePolicy: 'drop-oldest',
      fit: 'cover',
      workers: config.workers,
    },
    // The set taught over POST /teach; until it has a class, classify nodes answer ImageNet's labels.
    { id: IDS.labelSet, type: 'mobilenet-label-set', name: 'label set', model: IDS.model, dir: config.labelSetDir },
    {
      id: IDS.broker,
      type: 'mobilenet-mqtt-broker',
      name: 'broker',
      url: brokerUrl,
      // A pool member keeps one client id across restarts: the broker keeps its session (and the frames it
      // had not acknowledged) for it. Frames over MQTT use MQTT 5's user properties and shared subscriptions.
      clientId: config.framesTopic && config.memberId ? `mobilenet_${config.memberId}` : '',
      keepalive: 30,
      cleanSession: true,
      protocol: config.framesTopic || config.publishFrames !== 'off' ? '5' : '3.1.1',
      verifyTls: true,
    },
    cameraNode(config),
    {
      id: IDS.classify,
      ...CLASSIFY_SETTINGS,
      name: 'classify',
      x: 340,
      y: 120,
      wires: [[IDS.labels]],
    },
    {
      id: IDS.labels,
      type: 'mobilenet-mqtt-labels',
      z: TAB,
      name: 'labels',
      broker: IDS.broker,
      // <prefix>/available is online only while the model classifies: Home Assistant shows a missing model.
      model: IDS.model,
      prefix: config.prefix,
      source: '',
      watched: [],
      labelsMode: 'every',
      statsInterval: config.statsIntervalS,
      // A member acknowledges a frame once the broker has its labels: QoS 1 makes that an acknowledgement too.
      qosLabels: config.framesTopic ? 1 : 0,
      member: config.framesTopic ? config.memberId : undefined,
      discovery: true,
      // <prefix>/<source>/teach {"label"} teaches the frame the camera shows now (README: the broker ACL).
      teach: config.mqttTeach,
      outputs: 2,
      x: 560,
      y: 120,
      wires: [[], [IDS.mqttTeach]],
    },
    {
      id: IDS.httpIn,
      type: 'http in',
      z: TAB,
      name: 'POST /classify',
      url: '/classify',
      method: 'post',
      upload: true,
      x: 150,
      y: 220,
      wires: [[IDS.httpBody]],
    },
    {
      id: IDS.httpBody,
      type: 'function',
      z: TAB,
      name: 'image from body',
      func: HTTP_BODY,
      outputs: 1,
      x: 340,
      y: 220,
      wires: [[IDS.httpClassify]],
    },
    {
      id: IDS.httpClassify,
      ...CLASSIFY_SETTINGS,
      name: 'classify (http)',
      x: 540,
      y: 220,
      wires: [[IDS.httpAnswer, IDS.labels]],
    },
    {
      id: IDS.httpAnswer,
      type: 'function',
      z: TAB,
      name: 'predictions as JSON',
      func: HTTP_ANSWER,
      outputs: 1,
      x: 740,
      y: 220,
      wires: [[IDS.httpResponse]],
    },
    {
      id: IDS.httpResponse,
      type: 'http response',
      z: TAB,
      name: '',
      statusCode: '',
      headers: { 'content-type': 'application/json' },
      x: 930,
      y: 220,
      wires: [],
    },
    {
      id: IDS.httpCatch,
      type: 'catch',
      z: TAB,
      name: 'bad image',
      scope: [IDS.httpClassify],
      uncaught: false,
      x: 540,
      y: 280,
      wires: [[IDS.httpError]],
    },
    {
      id: IDS.httpError,
      type: 'function',
      z: TAB,
      name: 'error as JSON',
      func: HTTP_ERROR,
      outputs: 1,
      x: 740,
      y: 280,
      wires: [[IDS.httpResponse]],
    },
    ...labelNodes(),
  ];
}

export const FLOW_IDS = IDS;
export const FLOW_TAB_ID = TAB;
