/**
 * The main job: Node-RED 4 with this package's nodes and the bundled flow (frames → classify →
 * MQTT labels, plus POST /classify), headless-friendly, configured by environment variables.
 * Run directly (`node dist/app/start.js`) under systemd: npm does not forward signals (when npm is
 * killed, this process notices its parent is gone and stops as on SIGTERM; see parent-watch.ts).
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import express from 'express';
import { redactUserinfo } from '../src';
import { adminGuard, guardAdminUpgrades, readEditorHosts } from './admin-guard';
import { classifyBody, readClassifyLimits } from './classify-body';
import { readConfig, type AppConfig } from './config';
import { type CredentialsAtRest, prepareCredentialsAtRest } from './credentials-at-rest';
import { type EditorLogin, editorLogin } from './editor-login';
import { readTeachToken, teachGuard } from './teach-guard';
import { startEmbeddedBroker, type EmbeddedBroker } from './embedded-broker';
import { buildFlow, FLOW_IDS, FLOW_TAB_ID } from './flow';
import { memberId } from './member-id';
import { nodeRedVersion, requireNodeRed } from './node-red-runtime';
import { OWNER_ONLY_DIR, replaceOwnerOnly } from './owner-only-files';
import { watchParent } from './parent-watch';
import { describeModel, startAdvice } from './model-line';
import { RateLimitedLog } from './rate-limited-log';
import { RepeatedLineLimiter } from './repeated-line-limiter';
import { toError } from '../src';

// Node-RED ships no types; this is the slice of its embedding API used here.
interface NodeRed {
  init(server: http.Server, settings: Record<string, unknown>): void;
  start(): Promise<void>;
  stop(): Promise<void>;
  httpAdmin: express.Express;
  httpNode: express.Express;
  nodes: { getNode(id: string): (object & { receive(msg: object): void; inFlight?: number }) | null };
}

const SHUTDOWN_LIMIT_MS = 4500;
/** The part of it spent waiting for frames in flight; the rest is for closing nodes and the broker. */
const DRAIN_LIMIT_MS = 1500;

/** Warnings Node-RED prints on every fresh start of a generated flow, which need no action. */
const HARMLESS_WARNINGS = [/^Projects disabled/, /^Encrypted credentials not found/];

let lastStage = '';

/** One line per stage; the same line twice in a row (one per classify node) is said once. */
function stage(message: string): void {
  if (message === lastStage) return;
  lastStage = message;
  console.log(`[mobilenet] ${message}`);
}

function describeSource(config: AppConfig): string {
  if (config.framesTopic) {
    const receive = `MQTT 5, receive maximum ${config.framesReceiveMaximum}`;
    return `pool member ${config.memberId}: frames from ${config.framesTopic} (${receive})`;
  }
  const publishing =
    config.publishFrames === 'off'
      ? ''
      : `; frames published to ${config.prefix}/<source>/frame at QoS ${config.framesQos ?? 0}` +
        (config.publishFrames === 'only' ? ' and not classified here' : '');
  return describeCamera(config) + publishing;
}

function describeCamera(config: AppConfig): string {
  switch (config.camera.kind) {
    case 'command':
      // An RTSP camera's login usually sits in the ffmpeg URL: the journal must not keep it.
      return `camera command "${redactUserinfo(config.camera.command)}"`;
    case 'url':
      return `camera URL ${redactUserinfo(config.camera.url)}`;
    case 'folder':
      return `folder ${config.camera.dir} (drop images in to classify them; source name "frames")`;
  }
}

/**
 * Node-RED's own log lines at info level are noise for a service; warnings and errors pass, and
 * this package's nodes' own info lines become stage lines.
 */
/** Node-RED's warnings and errors, each kind at most once per 10 s (dropped frames would flood the journal). */
/** Where the editor answers, for the start line: loopback only, or the network too, and with which login. */
function describeEditor(config: AppConfig, login: { describe: string } | undefined): string {
  if (config.headless) return 'headless (no editor)';
  const network = config.editorRemote ? ' and the network' : '';
  return `editor on http://127.0.0.1:${config.port}/${network}${login ? ` (${login.describe})` : ''}`;
}

const nodeRedLines = new RepeatedLineLimiter((line) => console.error(line), 10_000);

function logging(config: AppConfig): Record<string, unknown> {
  let advised = false;
  const failures = new Set<string>();
  return {
    console: { level: 'off' },
    mobilenet: {
      level: 'info',
      handler: () => (entry: { level: number; type?: string; msg: unknown; name?: string }) => {
        const text =
          typeof entry.msg === 'string'
            ? entry.msg
            : entry.msg instanceof Error
              ? entry.msg.message
              : JSON.stringify(entry.msg);
        if (HARMLESS_WARNINGS.some((pattern) => pattern.test(text))) return;
        if (entry.level === 30 && entry.type?.startsWith('mobilenet-')) {
          // Each classify node reports the same failed load: once is enough (the advice line sits between them).
          if (advised && /model could not be loaded/.test(text) && failures.has(text)) return;
          if (/model could not be loaded/.test(text)) failures.add(text);
          stage(`${entry.type}: ${text}`);
          // Once: what to change so that something classifies (the job is configured by environment variables).
          if (!advised && /model could not be loaded/.test(text)) {
            advised = true;
            stage(startAdvice(config.model));
          }
        } else if (entry.level <= 30 || /missing types/i.test(text)) {
          const source = entry.type ? `[${entry.type}${entry.name ? `:${entry.name}` : ''}] ` : '';
          nodeRedLines.note(source, `[node-red] ${source}${text}`);
        } else if (entry.level === 40 && entry.type?.startsWith('mobilenet-')) stage(`${entry.type}: ${text}`);
      },
    },
  };
}

/**
 * Makes this package visible to Node-RED exactly as a palette install would (userDir/node_modules),
 * so its nodes, help, message catalogs, icons and examples load the same way users get them.
 */
function installIntoUserDir(userDir: string): void {
  const packageRoot = path.resolve(__dirname, '..', '..');
  const { name } = JSON.parse(fs.readFileSync(path.join(packageRoot, 'package.json'), 'utf8')) as { name: string };
  const link = path.join(userDir, 'node_modules', name);
  fs.mkdirSync(path.dirname(link), { recursive: true });
  try {
    if (fs.realpathSync(link) === fs.realpathSync(packageRoot)) return;
    fs.rmSync(link, { recursive: true, force: true });
  } catch {
    // no link yet
  }
  fs.symlinkSync(packageRoot, link, 'dir');
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Node-RED closes every node at once, so a frame still being classified would reach a closed label
 * publisher (and an HTTP caller a reset connection). So first the camera stops, then the frames
 * already taken in finish: results published, answers sent (at most `limitMs`).
 */
async function finishFramesInFlight(RED: NodeRed, openRequests: () => number, limitMs: number): Promise<void> {
  const node = (id: string): ReturnType<NodeRed['nodes']['getNode']> => RED.nodes.getNode(id);
  node(FLOW_IDS.camera)?.receive({ payload: 'stop' });
  const busy = (): number =>
    openRequests() + (node(FLOW_IDS.classify)?.inFlight ?? 0) + (node(FLOW_IDS.httpClassify)?.inFlight ?? 0);
  const deadline = Date.now() + limitMs;
  while (busy() > 0 && Date.now() < deadline) await sleep(20);
  // Node-RED hands a msg to the next node in a later turn of the event loop: let the last ones land.
  await sleep(50);
}

/**
 * The generated flow replaces flows.json at every start. A NODE_RED_USER_DIR pointed at an ordinary
 * Node-RED's directory (~/.node-red) holds the user's own flows: refuse rather than overwrite them.
 */
function refuseSomeoneElsesFlow(flowFile: string): void {
  let nodes: unknown;
  try {
    nodes = JSON.parse(fs.readFileSync(flowFile, 'utf8'));
  } catch {
    return; // none yet, or not a flow Node-RED wrote
  }
  if (!Array.isArray(nodes) || nodes.length === 0) return;
  if (nodes.some((n) => (n as { id?: unknown } | null)?.id === FLOW_TAB_ID)) return;
  throw new Error(
    `${flowFile} holds a flow that npm start did not generate, and npm start rewrites flows.json at every start. ` +
      'Set NODE_RED_USER_DIR to a directory of its own (default ./.node-red-data), or move that flows.json away',
  );
}

/** Step 1: settings from the environment, and the folders they name made ready. */
function configure(): { config: AppConfig; flowFile: string } {
  // The token leaves the environment before anything (a camera command, an exec node) could inherit it.
  const config: AppConfig = { ...readConfig(), teachToken: readTeachToken() };
  if (config.cacheDir) process.env.MOBILENET_CACHE = config.cacheDir;
  if (config.camera.kind === 'folder') fs.mkdirSync(config.camera.dir, { recursive: true });
  fs.mkdirSync(config.userDir, { recursive: true, mode: OWNER_ONLY_DIR });
  const flowFile = path.join(config.userDir, 'flows.json');
  refuseSomeoneElsesFlow(flowFile);
  installIntoUserDir(config.userDir);
  if (config.framesTopic) config.memberId = memberId(config.userDir);
  return { config, flowFile };
}

/** The broker the flow publishes to: MQTT_URL's, or an embedded one when none is set. */
interface FlowBroker {
  url: string;
  /** Only when this process started it, so shutting down closes it. */
  embedded?: EmbeddedBroker;
}

/** Step 2: the user's broker, or an embedded aedes on loopback. */
async function startBroker(config: AppConfig): Promise<FlowBroker> {
  if (config.mqttUrl) {
    stage(`broker: ${redactUserinfo(config.mqttUrl)}`);
    return { url: config.mqttUrl };
  }
  const embedded = await startEmbeddedBroker(config.brokerPort);
  stage(`broker: embedded aedes on ${embedded.url} (set MQTT_URL to use your own)`);
  return { url: embedded.url, embedded };
}

/** Step 3: the generated flow written for Node-RED, and its credentials file prepared. */
function writeFlow(config: AppConfig, brokerUrl: string, flowFile: string): CredentialsAtRest {
  stage(`source: ${describeSource(config)}`);
  stage(`model: ${describeModel(config.model, config.cacheDir)}`);
  // 0600: a CAMERA_CMD may carry a camera login. Logins from MQTT_URL and CAMERA_URL are not in it.
  replaceOwnerOnly(flowFile, JSON.stringify(buildFlow(config, brokerUrl), null, 2));
  const credentials = prepareCredentialsAtRest(config);
  stage(credentials.description);
  return credentials;
}

/** Node-RED running in this process, and what a shutdown needs to stop it. */
interface RunningNodeRed {
  RED: NodeRed;
  server: http.Server;
  /** Requests not yet answered, so a shutdown can wait for POST /classify callers. */
  openRequests(): number;
}

function nodeRedSettings(
  config: AppConfig,
  credentials: CredentialsAtRest,
  login: EditorLogin | undefined,
): Record<string, unknown> {
  return {
    userDir: config.userDir,
    flowFile: 'flows.json',
    httpAdminRoot: config.headless ? false : '/',
    httpNodeRoot: '/',
    uiPort: config.port,
    ...credentials.settings,
    logging: logging(config),
    editorTheme: { tours: false, projects: { enabled: false } },
    externalModules: { autoInstall: false, palette: { allowInstall: false } },
    // No CORS for the admin API (Node-RED 4 still adds its own `*`, which adminGuard strips).
    httpAdminCors: { origin: false },
    adminAuth: login?.adminAuth,
  };
}

/**
 * POST /classify answers everybody, its body bounded before Node-RED's unbounded parsers; the
 * editor (which can deploy any code) only its own pages, by this machine's names. Node routes go
 * first so theirs never reach the guard.
 */
function route(app: express.Express, server: http.Server, RED: NodeRed, config: AppConfig): void {
  const refusals = new RateLimitedLog((line) => console.error(line), 'refused requests', 10_000);
  const resets = new RateLimitedLog((line) => console.error(line), 'reset connections', 10_000);
  const limits = readClassifyLimits();
  app.post('/classify', classifyBody(limits, refusals, resets));
  // Teaching changes what the classifier answers and the label list shows camera crops: other sites
  // never, other machines with TEACH_TOKEN only. The image body is bounded as for POST /classify.
  const labelGuard = teachGuard({
    port: config.port,
    remote: true,
    extraHosts: readEditorHosts(),
    log: refusals,
    token: config.teachToken,
  });
  app.use(['/teach', '/labels'], labelGuard);
  app.post('/teach', classifyBody(limits, refusals, resets));
  app.use('/', RED.httpNode);
  if (!config.headless) {
    const guard = { port: config.port, remote: config.editorRemote, extraHosts: readEditorHosts(), log: refusals };
    app.use('/', adminGuard(guard), RED.httpAdmin);
    guardAdminUpgrades(server, { ...guard, commsPath: '/comms' });
  }
}

function listen(server: http.Server, port: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'EADDRINUSE' ? new Error(`Port ${port} is in use; set PORT to another one`) : error),
    );
    server.listen(port, () => resolve());
  });
}

/** Step 4: Node-RED with its editor (unless headless) and POST /classify, listening on PORT. */
async function startNodeRed(config: AppConfig, credentials: CredentialsAtRest): Promise<RunningNodeRed> {
  const login = config.headless
    ? undefined
    : editorLogin({
        env: process.env,
        userDir: config.userDir,
        remote: config.editorRemote,
        announce: (line) => console.log(`[mobilenet] ${line}`),
      });
  const RED = requireNodeRed<NodeRed>();
  const app = express();
  const server = http.createServer(app);
  RED.init(server, nodeRedSettings(config, credentials, login));
  let openRequests = 0;
  app.use((_req, res, next) => {
    openRequests++;
    res.once('close', () => openRequests--);
    next();
  });
  route(app, server, RED, config);
  await listen(server, config.port);
  await RED.start();
  stage(
    `label set: ${config.labelSetDir} (POST /teach?label=…, GET /labels; ` +
      `${config.teachToken ? 'other machines with TEACH_TOKEN' : 'this machine only, set TEACH_TOKEN for others'})`,
  );
  stage(
    `node-red ${nodeRedVersion()} on Node.js ${process.versions.node}, ${describeEditor(config, login)}; ` +
      `POST http://127.0.0.1:${config.port}/classify answers predictions as JSON`,
  );
  return { RED, server, openRequests: () => openRequests };
}

/** Frames in flight finish, then Node-RED (publishing "offline"), the HTTP server and the embedded broker stop. */
async function stopAll(nodeRed: RunningNodeRed, broker: FlowBroker): Promise<void> {
  await finishFramesInFlight(nodeRed.RED, nodeRed.openRequests, DRAIN_LIMIT_MS);
  await nodeRed.RED.stop();
  nodeRed.server.closeAllConnections();
  await new Promise<void>((resolve) => nodeRed.server.close(() => resolve()));
  await broker.embedded?.close();
}

/** Step 5: on SIGTERM or SIGINT, stop in order and exit 0, or exit 1 when that fails or outlasts the limit. */
function shutDownOnSignals(nodeRed: RunningNodeRed, broker: FlowBroker): void {
  let stopping = false;
  const shutDown = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    stage(`${signal}: stopping (frames in flight finish, "offline" is published)`);
    const limit = setTimeout(() => {
      stage(`shutdown took longer than ${SHUTDOWN_LIMIT_MS} ms; exiting with code 1`);
      process.exit(1);
    }, SHUTDOWN_LIMIT_MS);
    limit.unref();
    stopAll(nodeRed, broker).then(
      () => {
        stage('stopped cleanly; exiting with code 0');
        process.exit(0);
      },
      (error: unknown) => {
        console.error(`[mobilenet] error while stopping: ${toError(error).message}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutDown('SIGTERM'));
  process.on('SIGINT', () => shutDown('SIGINT'));
  // npm dies on SIGTERM without forwarding it: when the process that started this one is gone, stop the same way.
  watchParent((why) => shutDown(`${why}`));
}

async function main(): Promise<void> {
  const { config, flowFile } = configure();
  const broker = await startBroker(config);
  const credentials = writeFlow(config, broker.url, flowFile);
  const nodeRed = await startNodeRed(config, credentials);
  shutDownOnSignals(nodeRed, broker);
}

main().catch((error: unknown) => {
  console.error(`[mobilenet] cannot start: ${toError(error).message}`);
  process.exit(1);
});
