import { publisherSuite } from './helpers/publisher-suite';
import { aedesFactory } from './helpers/test-broker';

publisherSuite('aedes (in-process)', aedesFactory);
