import * as path from 'node:path';
import { defaultWorkers, ENGINE_CHOICES, type EngineChoice, MAX_WORKERS } from '../src';
import { parseFramesRetention, type FramesRetention } from './frames-retention';
import { brokerLogin, moveLoginOutOfUrl } from './url-credentials';

/** Everything `npm start` can be told, from environment variables, each with a working default. */
export interface AppConfig {
  /** Catalog name, directory, .tflite file or URL. */
  model: string;
  /**
   * External broker, without a login (that is in mqttUsername/mqttPassword); when absent an embedded aedes broker is
   * started.
   */
  mqttUrl?: string;
  mqttUsername?: string;
  mqttPassword?: string;
  brokerPort: number;
  prefix: string;
  camera:
    | { kind: 'command'; command: string }
    | { kind: 'url'; url: string; user?: string; password?: string }
    | { kind: 'folder'; dir: string };
  /** What happens to a classified image in the frames folder (FRAMES_RETENTION). */
  framesRetention: FramesRetention;
  port: number;
  headless: boolean;
  /** Serve the editor to other machines too, with a login (default: this machine only). */
  editorRemote: boolean;
  userDir: string;
  /** The label set taught over POST /teach (LABEL_SET_DIR; default inside the Node-RED user dir). */
  labelSetDir: string;
  /**
   * MQTT_TEACH: `<prefix>/<source>/teach` teaches the current frame. Default on with the embedded broker (it
   * listens on loopback only), off with MQTT_URL, where whoever may publish to the broker could teach.
   */
  mqttTeach: boolean;
  /** TEACH_TOKEN (read and removed from the environment by app/teach-guard at start). */
  teachToken?: string;
  cacheDir?: string;
  maxFps: number;
  /** PUBLISH_FRAMES: the camera's frames also go to `<prefix>/<source>/frame` ("also"), or only there ("only"). */
  publishFrames: 'off' | 'also' | 'only';
  /** FRAMES_QOS: QoS of published frames (default 0) or of the frames subscription (default 1). */
  framesQos?: 0 | 1;
  /** FRAMES_TOPIC: this process is a classifier pool member taking its frames from this topic filter. */
  framesTopic?: string;
  /** FRAMES_RECEIVE_MAXIMUM: MQTT 5 Receive Maximum of a pool member (frames in flight). */
  framesReceiveMaximum: number;
  /** FRAMES_MAX_AGE_MS: a pool member drops frames older than this (0 = no limit). */
  framesMaxAgeMs: number;
  /** FRAMES_STEP_BACK_MS: a pool member behind by more than this leaves the share until caught up (0 = never). */
  framesStepBackMs: number;
  /** A pool member's name, kept in the user directory (app/member-id): its client id and stats topic. */
  memberId?: string;
  /** STATS_INTERVAL: seconds between two `<prefix>/stats` messages (0 = none). */
  statsIntervalS: number;
  /** Inference worker threads for the model (MOBILENET_WORKERS; default one per core but one). */
  workers: number;
  /** What runs the model (MOBILENET_ENGINE: auto, litert or tfjs; default the library's). */
  engine?: EngineChoice;
}

function integer(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0 || parsed > 65535)
    throw new Error(`${name} must be a whole number from 0 to 65535, got "${value}"`);
  return parsed;
}

function framesPerSecond(value: string | undefined, fallback: number): number {
  if (value === undefined || value.trim() === '') return fallback;
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed < 0)
    throw new Error(`MAX_FPS must be a number >= 0 (frames per second; 0 means no cap), got "${value}"`);
  return parsed;
}

function publishFrames(value: string | undefined): AppConfig['publishFrames'] {
  if (value === undefined || value === '' || /^(0|false)$/i.test(value)) return 'off';
  if (/^(1|true)$/i.test(value)) return 'also';
  if (value.toLowerCase() === 'only') return 'only';
  throw new Error(`PUBLISH_FRAMES must be 1 (publish and classify here), only (publish only) or 0, got "${value}"`);
}

function framesQos(value: string | undefined): 0 | 1 | undefined {
  if (value === undefined || value === '') return undefined;
  if (value === '0' || value === '1') return Number(value) as 0 | 1;
  throw new Error(`FRAMES_QOS must be 0 (live video) or 1 (every frame classified), got "${value}"`);
}

/** Frames over MQTT need MQTT 5 (user properties, shared subscriptions): not the embedded aedes broker. */
function checkFramesOverMqtt(config: AppConfig): void {
  const uses = config.framesTopic ? 'FRAMES_TOPIC' : config.publishFrames !== 'off' ? 'PUBLISH_FRAMES' : undefined;
  if (uses && !config.mqttUrl) {
    throw new Error(
      `${uses} needs an MQTT 5 broker in MQTT_URL (e.g. Mosquitto 2): frames carry MQTT 5 user properties, ` +
        'which the embedded broker does not speak',
    );
  }
  if (config.framesTopic && config.camera.kind !== 'folder') {
    throw new Error(
      'FRAMES_TOPIC makes this a pool member that takes its frames from the broker: unset CAMERA_CMD and CAMERA_URL',
    );
  }
  if (config.framesTopic && config.publishFrames !== 'off') {
    throw new Error(
      'FRAMES_TOPIC and PUBLISH_FRAMES exclude each other: a pool member classifies frames, a camera publishes them',
    );
  }
}

function workerCount(value: string | undefined): number {
  if (value === undefined || value.trim() === '') return defaultWorkers();
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1 || parsed > MAX_WORKERS)
    throw new Error(
      `MOBILENET_WORKERS must be a whole number from 1 to ${MAX_WORKERS} (inference threads, each holding the ` +
        `model), got "${value}"`,
    );
  return parsed;
}

function engineChoice(value: string | undefined): EngineChoice | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  if (!(ENGINE_CHOICES as readonly string[]).includes(value))
    throw new Error(`MOBILENET_ENGINE must be one of ${ENGINE_CHOICES.join(', ')}, got "${value}"`);
  return value as EngineChoice;
}

export function readConfig(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): AppConfig {
  const camera: AppConfig['camera'] = env.CAMERA_CMD
    ? { kind: 'command', command: env.CAMERA_CMD }
    : env.CAMERA_URL
      ? { kind: 'url', ...moveLoginOutOfUrl(env.CAMERA_URL, 'CAMERA_URL') }
      : { kind: 'folder', dir: path.resolve(cwd, env.FRAMES_DIR || 'frames') };
  const broker = brokerLogin(env);
  const userDir = path.resolve(cwd, env.NODE_RED_USER_DIR || '.node-red-data');
  const config: AppConfig = {
    model: env.MOBILENET_MODEL || 'mobilenet_v1_0.25_224',
    mqttUrl: broker.url || undefined,
    mqttUsername: broker.user,
    mqttPassword: broker.password,
    brokerPort: integer('BROKER_PORT', env.BROKER_PORT, 1883),
    prefix: env.MQTT_PREFIX || 'mobilenet',
    camera,
    port: integer('PORT', env.PORT, 1880),
    headless: env.HEADLESS === '1' || env.HEADLESS === 'true',
    editorRemote: env.EDITOR_REMOTE === '1' || env.EDITOR_REMOTE === 'true',
    userDir,
    mqttTeach: env.MQTT_TEACH === undefined || env.MQTT_TEACH === '' ? !broker.url : /^(1|true)$/i.test(env.MQTT_TEACH),
    labelSetDir: env.LABEL_SET_DIR ? path.resolve(cwd, env.LABEL_SET_DIR) : path.join(userDir, 'label-set'),
    cacheDir: env.MOBILENET_CACHE || undefined,
    maxFps: framesPerSecond(env.MAX_FPS, 2),
    workers: workerCount(env.MOBILENET_WORKERS),
    engine: engineChoice(env.MOBILENET_ENGINE),
    framesRetention: parseFramesRetention(env.FRAMES_RETENTION),
    publishFrames: publishFrames(env.PUBLISH_FRAMES),
    framesQos: framesQos(env.FRAMES_QOS),
    framesTopic: env.FRAMES_TOPIC?.trim() || undefined,
    framesReceiveMaximum: atLeastOne(
      'FRAMES_RECEIVE_MAXIMUM',
      integer('FRAMES_RECEIVE_MAXIMUM', env.FRAMES_RECEIVE_MAXIMUM, 4),
    ),
    framesMaxAgeMs: integerMs('FRAMES_MAX_AGE_MS', env.FRAMES_MAX_AGE_MS, 10_000),
    framesStepBackMs: integerMs('FRAMES_STEP_BACK_MS', env.FRAMES_STEP_BACK_MS, 0),
    statsIntervalS: integer('STATS_INTERVAL', env.STATS_INTERVAL, 60),
  };
  checkFramesOverMqtt(config);
  return config;
}

function atLeastOne(name: string, value: number): number {
  if (value < 1) throw new Error(`${name} must be at least 1, got ${value}`);
  return value;
}

function integerMs(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const parsed = Number(value);
  if (!Number.isSafeInteger(parsed) || parsed < 0) {
    throw new Error(`${name} must be a whole number of milliseconds >= 0 (0 = no limit), got "${value}"`);
  }
  return parsed;
}
