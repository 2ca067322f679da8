import { toError } from '../../src';
import { serviceOf } from '../mobilenet-label-set/label-set-node';
import type { LabelSetService, SetState } from '../mobilenet-label-set/label-set-service';
import { failInput } from '../shared/fail-input';
import type { DoneFunction, NodeMessage, NodeStatus, RedApi, RedNode, SendFunction } from '../shared/red-api';
import { StatusThrottle, status } from '../shared/status';
import { translator } from '../shared/translate';
import { applyAnswer, runCommand } from './teach-command';

interface TeachNodeConfig {
  name?: string;
  labelSet: string;
}

export = (RED: RedApi): void => {
  const t = translator(RED, 'mobilenet-teach');

  function statusOf(state: SetState): NodeStatus {
    if (state.phase === 'waiting') return status.pending(t('status.waiting'));
    if (state.phase === 'error') return status.failed(state.error.message);
    return status.working(t('status.counts', { classes: state.classes, examples: state.examples }));
  }

  function MobilenetTeachNode(this: RedNode, config: TeachNodeConfig): void {
    RED.nodes.createNode(this, config);
    const statuses = new StatusThrottle((shown) => this.status(shown));
    let service: LabelSetService | undefined;
    let setupError: Error | undefined;
    const showState = (state: SetState): void => statuses.now(statusOf(state));
    try {
      service = serviceOf(RED.nodes.getNode(config.labelSet), t('errors.missing-set'));
      service.on('state', showState);
      showState(service.state);
    } catch (err) {
      setupError = toError(err);
      statuses.now(status.failed(setupError.message));
      this.error(setupError);
    }

    const handle = async (msg: NodeMessage, send: SendFunction, done: DoneFunction): Promise<void> => {
      try {
        if (!service) throw new Error(t('errors.not-configured', { reason: setupError?.message ?? '' }));
        applyAnswer(msg, await runCommand(service, msg));
        const current = service.state;
        statuses.update(() => statusOf(current));
        send(msg);
        done();
      } catch (err) {
        // The set is unchanged by a refused command; the node takes the next msg as usual.
        failInput(statuses, done, err);
      }
    };

    this.on('input', (msg, send, done) => {
      void handle(msg, send, done);
    });

    this.on('close', (_removed: boolean, done: () => void) => {
      service?.off('state', showState);
      service = undefined;
      statuses.clear();
      done();
    });
  }

  RED.nodes.registerType('mobilenet-teach', MobilenetTeachNode);
};
