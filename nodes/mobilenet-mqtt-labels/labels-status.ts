import type { PublisherStatus } from '../../src';
import type { NodeStatus } from '../shared/red-api';
import { connectionStatus, status } from '../shared/status';
import type { Translate } from '../shared/translate';
import type { ModelState } from '../mobilenet-model/shared-models';

/**
 * The publisher's connection in Node-RED's own words, then what waits and what was lost:
 * "connected · 3 dropped", "disconnected · 12 queued"; with a model that is not loaded, why
 * availability says `offline`. `t` reads this node's `status.<key>`.
 */
export function publisherStatus(
  RED: { _: Translate },
  t: Translate,
  s: PublisherStatus,
  model?: ModelState,
): NodeStatus {
  // Connected but announcing `offline`: the model it follows cannot classify (yet).
  if (s.state === 'connected' && model && model.phase !== 'ready') {
    return status.pending(t(model.phase === 'error' ? 'status.model-failed' : 'status.model-loading'));
  }
  const dropped = s.dropped > 0 ? [t('status.dropped', { count: s.dropped })] : [];
  const queued = s.queued > 0 ? [t('status.queued', { count: s.queued })] : [];
  switch (s.state) {
    case 'connected':
      return connectionStatus(RED, s.state, dropped);
    case 'connecting':
    case 'disconnected':
      return connectionStatus(RED, s.state, [...queued, ...dropped]);
    case 'error':
      return status.failed([s.error ?? t('status.error'), ...dropped].join(' · '));
    default:
      return {};
  }
}
