import { toError } from '../../src';
import { isModelNode, type ModelUser } from '../mobilenet-model/model-node';
import type { RedApi } from '../shared/red-api';
import { registerLabelSetAdmin } from './label-set-admin';
import type { LabelSetNode } from './label-set-node';
import { LabelSetService } from './label-set-service';
import { type LabelSetNodeConfig, labelSetSettings } from './label-set-settings';

export = (RED: RedApi): void => {
  registerLabelSetAdmin(RED);

  function MobilenetLabelSetNode(this: LabelSetNode, config: LabelSetNodeConfig): void {
    RED.nodes.createNode(this, config);
    this.modelId = config.model ?? '';
    const modelNode = RED.nodes.getNode(this.modelId);
    let user: ModelUser | undefined;
    try {
      const settings = labelSetSettings(config, RED.settings.userDir);
      if (!isModelNode(modelNode)) throw new Error(RED._('mobilenet-label-set.errors.missing-model'));
      // The service is the model's user: the set opens once the model says which fingerprint it has.
      let service: LabelSetService | undefined;
      const forward: ModelUser = { onModelState: (state) => service?.onModelState(state) };
      const model = modelNode.register(forward);
      service = new LabelSetService(settings, model);
      service.onModelState(model.state);
      user = forward;
      this.service = service;
      service.on('state', (state) => {
        if (state.phase === 'error')
          this.warn(RED._('mobilenet-label-set.errors.refused', { reason: state.error.message }));
      });
    } catch (err) {
      this.configError = toError(err);
      this.error(RED._('mobilenet-label-set.errors.bad-config', { message: this.configError.message }));
    }

    this.on('close', (_removed: boolean, done: () => void) => {
      const service = this.service;
      this.service = undefined;
      if (user && isModelNode(modelNode)) modelNode.deregister(user);
      // Writes in progress finish before the node is gone, so a redeploy reads what was taught.
      (service ? service.close() : Promise.resolve()).then(done, done);
    });
  }

  RED.nodes.registerType('mobilenet-label-set', MobilenetLabelSetNode);
};
