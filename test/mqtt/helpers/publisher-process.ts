// Runs a LabelPublisher in its own process so a test can kill it with SIGKILL and watch the
// broker deliver the last will. argv: <broker url> <prefix>. Reports "connected" over IPC.
import { LabelPublisher } from '../../../src/mqtt';
import { referenceFrame } from './reference-frames';

const [url, prefix] = process.argv.slice(2);
const publisher = new LabelPublisher(
  { url, reconnectPeriodMs: 100, keepalive: 60 },
  { prefix, discovery: false, statsIntervalMs: 0 },
);
publisher
  .waitUntilConnected(10000)
  .then(() => {
    publisher.publish(referenceFrame('coffee.png', 1, Date.now()));
    process.send?.('connected');
  })
  .catch((err: Error) => {
    process.send?.(`error: ${err.message}`);
  });
