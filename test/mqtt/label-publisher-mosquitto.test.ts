import { publisherSuite } from './helpers/publisher-suite';
import { MOSQUITTO_MISSING, mosquittoFactory } from './helpers/test-broker';

const missing = MOSQUITTO_MISSING;
if (missing !== undefined) {
  describe('LabelPublisher against Mosquitto 2', () => {
    it.skip(missing, () => undefined);
  });
} else {
  publisherSuite('Mosquitto 2 (child process)', mosquittoFactory);
}
