/**
 * `npm start` in a terminal runs npm → sh → node. Killing npm (`kill <npm's pid>`) does not reach
 * this process: npm does not forward SIGTERM, its shell goes with it, and node is re-parented (to
 * init or a subreaper), still holding its ports, without ever publishing `offline`. So the main job
 * watches its parent: when it changes (or an IPC channel to it closes), the job stops as on SIGTERM.
 */

/** How often the parent is checked: a few seconds of a port held after npm died is acceptable. */
export const PARENT_CHECK_MS = 1000;

export interface ParentWatch {
  stop(): void;
}

/**
 * Calls `onGone` once when this process's parent is gone. Not armed when the parent is init
 * (pid 1: systemd, a container's init): there the parent never goes while the job runs.
 */
export function watchParent(
  onGone: (why: string) => void,
  options: { intervalMs?: number; ppid?: () => number } = {},
): ParentWatch {
  const ppid = options.ppid ?? (() => process.ppid);
  const first = ppid();
  let fired = false;
  const fire = (why: string): void => {
    if (fired) return;
    fired = true;
    stop();
    onGone(why);
  };
  const onDisconnect = (): void => fire('the parent process closed its IPC channel');
  if (process.connected) process.once('disconnect', onDisconnect);
  const timer =
    first > 1
      ? setInterval(() => {
          const now = ppid();
          if (now !== first) fire(`the parent process (pid ${first}) is gone`);
        }, options.intervalMs ?? PARENT_CHECK_MS)
      : undefined;
  // Never what keeps the process alive: Node-RED's server does that.
  timer?.unref();
  function stop(): void {
    if (timer) clearInterval(timer);
    process.off('disconnect', onDisconnect);
  }
  return { stop };
}
