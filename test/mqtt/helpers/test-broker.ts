import { MOSQUITTO, startAedes, startMosquitto } from './brokers';

/** The operations the shared publisher suite needs, whatever the broker. */
export interface TestBroker {
  url: string;
  /** Broker unreachable; durable sessions survive (persistent subscribers get what they missed). */
  interrupt(): Promise<void>;
  /**
   * Back on the same port. `first` runs before any client other than test subscribers (client id
   * "sub_...") may connect, where the broker can enforce that; brokers with durable sessions
   * (Mosquitto with persistence) need no such ordering and ignore it.
   */
  restore(first?: () => Promise<void>): Promise<void>;
  /** Whether a subscriber's session (and its queued QoS 1 messages) survives interrupt/restore. */
  durableSessions: boolean;
  dispose(): Promise<void>;
  /** The broker's own log, where it has one. */
  log(): string;
}

export interface BrokerStartOptions {
  users?: Record<string, string>;
}

export type BrokerFactory = (options?: BrokerStartOptions) => Promise<TestBroker>;

export const aedesFactory: BrokerFactory = async (options = {}) => {
  const users = options.users;
  let holding = false;
  const broker = await startAedes({
    authenticate: (client, username, password, done) => {
      // aedes redelivers already-acknowledged messages to persistent sessions after a reconnect, so
      // the fault tests use clean subscribers and hold other clients until they are subscribed.
      if (holding && !client.id.startsWith('sub_'))
        return done(Object.assign(new Error('held back by the test'), { returnCode: 3 as const }), false);
      if (!users) return done(null, true);
      const ok = username !== undefined && users[username] !== undefined && password?.toString() === users[username];
      if (ok) return done(null, true);
      done(Object.assign(new Error('bad username or password'), { returnCode: 4 as const }), false);
    },
  });
  return {
    url: broker.url,
    durableSessions: false,
    interrupt: () => broker.cut(),
    async restore(first) {
      holding = first !== undefined;
      try {
        await broker.resume();
        if (first) await first();
      } finally {
        holding = false;
      }
    },
    dispose: () => broker.stop(),
    log: () => '',
  };
};

/** Mosquitto really stopped (SIGTERM) and started again on the same port, sessions kept on disk. */
export const mosquittoFactory: BrokerFactory = async (options = {}) => {
  const broker = await startMosquitto({ users: options.users, persistence: true });
  return {
    url: broker.url,
    durableSessions: true,
    interrupt: () => broker.stop(),
    restore: () => broker.start(),
    dispose: () => broker.dispose(),
    log: () => broker.log(),
  };
};

export const MOSQUITTO_MISSING =
  MOSQUITTO === undefined
    ? 'mosquitto is not installed (apt-get install mosquitto); Mosquitto tests skipped'
    : undefined;
