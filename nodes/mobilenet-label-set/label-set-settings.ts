import * as os from 'node:os';
import * as path from 'node:path';
import { type MatchOptions, checkStateRoi, type Roi } from '../../src';

/** What the editor stores for a mobilenet-label-set config node. */
export interface LabelSetNodeConfig {
  id: string;
  name?: string;
  /** The mobilenet-model config node whose embeddings the set holds. */
  model: string;
  /** Empty: `<Node-RED user dir>/mobilenet-label-sets/<this node's id>`. */
  dir?: string;
  /** Region of interest, fractions 0..1 of the frame (or pixels); all empty = the whole frame. */
  roiX?: number | string;
  roiY?: number | string;
  roiWidth?: number | string;
  roiHeight?: number | string;
  method?: string;
  /** Empty: the measured defaults. */
  threshold?: number | string;
  margin?: number | string;
}

export interface LabelSetSettings {
  dir: string;
  name: string;
  roi?: Roi;
  match: MatchOptions;
}

/** Where a set lives when the editor names no folder: inside the Node-RED user directory. */
export function defaultSetDir(userDir: string | undefined, id: string): string {
  return path.join(userDir ?? path.join(os.homedir(), '.node-red'), 'mobilenet-label-sets', id);
}

function optionalNumber(label: string, value: number | string | undefined): number | undefined {
  if (value === undefined || String(value).trim() === '') return undefined;
  const n = Number(value);
  if (!Number.isFinite(n)) throw new Error(`${label} must be a number, got ${JSON.stringify(value)}`);
  return n;
}

function roiOf(config: LabelSetNodeConfig): Roi | undefined {
  const parts = {
    x: optionalNumber('ROI x', config.roiX),
    y: optionalNumber('ROI y', config.roiY),
    width: optionalNumber('ROI width', config.roiWidth),
    height: optionalNumber('ROI height', config.roiHeight),
  };
  const given = Object.values(parts).filter((v) => v !== undefined).length;
  if (given === 0) return undefined;
  if (given < 4) throw new Error('The region of interest needs all of x, y, width and height (or none of them)');
  return checkStateRoi(parts);
}

/** Editor values to settings; throws naming the bad field. */
export function labelSetSettings(config: LabelSetNodeConfig, userDir: string | undefined): LabelSetSettings {
  const dir = config.dir?.trim() ? path.resolve(config.dir.trim()) : defaultSetDir(userDir, config.id);
  const method = config.method?.trim() || undefined;
  if (method !== undefined && method !== 'prototype' && method !== 'knn') {
    throw new Error(`Matching must be "prototype" or "knn", got ${JSON.stringify(method)}`);
  }
  const match: MatchOptions = {
    method,
    threshold: optionalNumber('Threshold', config.threshold),
    margin: optionalNumber('Margin', config.margin),
  };
  return { dir, name: config.name?.trim() || path.basename(dir), roi: roiOf(config), match };
}
