import { toError } from '../../src';
import type { LabelSetService, SetState } from '../mobilenet-label-set/label-set-service';
import { serviceOf } from '../mobilenet-label-set/label-set-node';
import type { DoneFunction, NodeMessage, NodeStatus, RedApi, RedNode, SendFunction } from '../shared/red-api';
import { errorStatus } from '../shared/status';
import { applyAnswer, runCommand } from './teach-command';

interface TeachNodeConfig {
  name?: string;
  labelSet: string;
}

export = (RED: RedApi): void => {
  const t = (key: string, substitutions?: Record<string, string | number>): string =>
    RED._(`mobilenet-teach.${key}`, substitutions);

  function statusOf(state: SetState): NodeStatus {
    if (state.phase === 'waiting') return { fill: 'yellow', shape: 'ring', text: t('status.waiting') };
    if (state.phase === 'error') return errorStatus(state.error.message);
    return {
      fill: 'green',
      shape: 'dot',
      text: t('status.counts', { classes: state.classes, examples: state.examples }),
    };
  }

  function MobilenetTeachNode(this: RedNode, config: TeachNodeConfig): void {
    RED.nodes.createNode(this, config);
    let service: LabelSetService | undefined;
    let setupError: Error | undefined;
    const showState = (state: SetState): void => this.status(statusOf(state));
    try {
      service = serviceOf(RED.nodes.getNode(config.labelSet), t('errors.missing-set'));
      service.on('state', showState);
      showState(service.state);
    } catch (err) {
      setupError = toError(err);
      this.status(errorStatus(setupError.message));
      this.error(setupError);
    }

    async function handle(msg: NodeMessage, send: SendFunction, done: DoneFunction): Promise<void> {
      try {
        if (!service) throw new Error(t('errors.not-configured', { reason: setupError?.message ?? '' }));
        applyAnswer(msg, await runCommand(service, msg));
        send(msg);
        done();
      } catch (err) {
        // The set is unchanged by a refused command; the node takes the next msg as usual.
        done(toError(err));
      }
    }

    this.on('input', (msg, send, done) => {
      void handle(msg, send, done);
    });

    this.on('close', (_removed: boolean, done: () => void) => {
      service?.off('state', showState);
      service = undefined;
      done();
    });
  }

  RED.nodes.registerType('mobilenet-teach', MobilenetTeachNode);
};
