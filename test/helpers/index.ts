/** What tests share: waiting, undoing their setup, checking for leaks and reading node outputs. */
export { describeHandles, type HandleCounts, handleBaseline, leakedHandles, workerThreads } from './handles';
export type { CaughtMessage, ClassifyMessage, Classification } from './node-outputs';
export { lastStatusOf, ownCalls, said, type StatusLike, statusesOf, waitForStatus } from './node-status';
export { onTeardown, runTeardowns } from './teardown';
export { type Emitter, type EventWaitOptions, nextEvent, sleep, type WaitOptions, waitFor, whatOf } from './wait';
export { delayFrames, recordWorkers } from './workers';
