import type { ClassifierOptions } from '../../src';
import type { RedApi, RedNode } from '../shared/red-api';
import { catalogRows } from './catalog-list';
import type { ModelNode, ModelUser } from './model-node';
import { classifierOptions, settingsHash, type ModelNodeConfig } from './model-settings';
import { acquireModel, releaseIdleModels, releaseModel, type ModelState, type SharedModel } from './shared-models';
import { toError } from '../../src';
import { translator } from '../shared/translate';

export = function (RED: RedApi): void {
  const t = translator(RED, 'mobilenet-model');
  // The picker in the editor: every catalog model with α, ρ, computed MACs and parameters, published top-1.
  RED.httpAdmin.get('/mobilenet/catalog', RED.auth.needsPermission('mobilenet-model.read'), (_req, res) => {
    try {
      res.json(catalogRows());
    } catch (err) {
      res.status(500).json({ error: toError(err).message });
    }
  });

  function MobilenetModelNode(this: ModelNode, config: ModelNodeConfig): void {
    RED.nodes.createNode(this, config);
    let options: ClassifierOptions | undefined;
    let configError: Error | undefined;
    try {
      options = classifierOptions(config, t);
    } catch (err) {
      configError = toError(err);
      this.error(t('errors.bad-config', { message: configError.message }));
    }
    const hash = options ? settingsHash(options) : '';
    const held = new Map<ModelUser, { model: SharedModel; listener: (state: ModelState) => void }>();

    this.register = (user: ModelUser): SharedModel => {
      if (!options) throw configError ?? new Error(t('errors.not-configured'));
      this.deregister(user);
      const model = acquireModel(this.id, hash, options, user, t);
      const listener = (state: ModelState): void => user.onModelState(state);
      model.on('state', listener);
      held.set(user, { model, listener });
      user.onModelState(model.state);
      return model;
    };

    this.deregister = (user: ModelUser): void => {
      const entry = held.get(user);
      if (!entry) return;
      held.delete(user);
      entry.model.off('state', entry.listener);
      releaseModel(entry.model, user);
    };

    this.on('close', (removed: boolean, done: () => void) => {
      for (const user of [...held.keys()]) this.deregister(user);
      // Deleted for good: no redeploy will come back for the model, so free it now.
      if (removed) releaseIdleModels(this.id);
      done();
    });
  }

  RED.nodes.registerType('mobilenet-model', MobilenetModelNode as (this: RedNode, config: ModelNodeConfig) => void);
};
