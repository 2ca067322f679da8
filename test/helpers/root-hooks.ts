import { runTeardowns } from './teardown';

/** Root hooks, loaded by .mocharc.json for every run: what a test registered with onTeardown is undone after it. */
export const mochaHooks = {
  afterEach: runTeardowns,
};
