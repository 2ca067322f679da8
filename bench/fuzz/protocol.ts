import type { CaseOutcome, FuzzCase } from './types';

/** Messages between the run and a surface's child process (IPC, structured clone). */

export interface GoodFrame {
  bytes: Uint8Array;
  label: string;
}

export interface InitMessage {
  op: 'init';
  model: string;
  /** The folder the classify node may read files from. */
  fileDir: string;
  boundMs: number;
}

export type ToChild =
  | InitMessage
  | { op: 'case'; fuzzCase: FuzzCase; good: GoodFrame; boundMs: number }
  | { op: 'good'; good: GoodFrame; boundMs: number };

export type FromChild =
  | { op: 'ready' }
  | { op: 'initFailed'; error: string }
  | { op: 'outcome'; id: string; outcome: Omit<CaseOutcome, 'ms'> }
  | { op: 'good'; label?: string; error?: string };
