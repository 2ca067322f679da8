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
  return {
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
  };
}
