import { fork } from 'node:child_process';
import * as path from 'node:path';
import type { ChildReply, FrameJob } from './job';

/** The measuring script of this package: one FrameJob per process. */
export const CHILD_SCRIPT = path.join(__dirname, 'child-main.js');

/**
 * Starts `script` in a new Node process with the job as its one argument and waits for the one
 * reply it sends over IPC. A child that crashes, exits without replying or outlives `timeoutMs`
 * yields an error reply instead of a rejection, so one bad configuration never ends the run.
 */
export function runChild(
  job: Omit<FrameJob, 'spawnedAtNs'> & Record<string, unknown>,
  options: { script?: string; execArgv?: string[]; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<ChildReply> {
  return new Promise((resolve) => {
    const spawnedAtNs = process.hrtime.bigint().toString();
    const child = fork(options.script ?? CHILD_SCRIPT, [JSON.stringify({ ...job, spawnedAtNs })], {
      execArgv: options.execArgv ?? [],
      env: options.env ?? process.env,
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    let reply: ChildReply | undefined;
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      // Only the tail matters (the error); bounded so a chatty child cannot grow the parent.
      stderr = (stderr + chunk.toString()).slice(-2000);
    });
    child.on('message', (message) => {
      reply = message as ChildReply;
    });
    const timer = setTimeout(() => {
      reply ??= { ok: false, error: `no result within ${Math.round((options.timeoutMs ?? 0) / 1000)} s` };
      child.kill('SIGKILL');
    }, options.timeoutMs ?? 300_000);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      const last = stderr.trim().split('\n').slice(-3).join(' | ');
      resolve(reply ?? { ok: false, error: `exited (${signal ?? code}) without a result${last ? `: ${last}` : ''}` });
    });
  });
}
