import { corruptFamily } from './gen-corrupt';
import { dimsFamily } from './gen-dims';
import { filesFamily } from './gen-files';
import { httpFamily } from './gen-http';
import { messagesFamily } from './gen-messages';
import { metadataFamily } from './gen-metadata';
import { modelsFamily } from './gen-models';
import { mqttFamily } from './gen-mqtt';
import { rawFamily } from './gen-raw';
import { validFamily } from './gen-valid';
import type { Family } from './types';

/** Every generator family, in the order the run sends their cases. */
export const FAMILIES: Family[] = [
  validFamily,
  corruptFamily,
  dimsFamily,
  metadataFamily,
  rawFamily,
  messagesFamily,
  httpFamily,
  filesFamily,
  modelsFamily,
  mqttFamily,
];
