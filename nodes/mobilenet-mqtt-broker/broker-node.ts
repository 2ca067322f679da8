import type { BrokerSettings } from '../../src';
import type { RedNode } from '../shared/red-api';

/** A broker config node as the publisher nodes see it. */
export interface BrokerNode extends RedNode {
  /** Connection settings for one publisher, with credentials and TLS files read now. */
  brokerSettings(): BrokerSettings;
}
