// Run as a child process by crash.test: teaches examples as fast as it can, printing each id once its add()
// has resolved, until it is killed.
import { LabelSet } from '../../src/labelset/label-set';
import { realThumbnail } from './helpers';

async function main(): Promise<void> {
  const folder = process.argv[2];
  const size = Number(process.argv[3]);
  const set = await LabelSet.open(folder, { fingerprint: 'crash-test', embeddingSize: size, create: true });
  const jpeg = await realThumbnail();
  process.stdout.write('ready\n');
  for (let i = 0; ; i++) {
    const embedding = Float32Array.from({ length: size }, () => Math.random() - 0.5);
    const label = `class ${i % 7}`;
    if (set.classes().find((c) => c.label === label)?.count === 400) await set.forget(label);
    const id = await set.add(label, embedding, jpeg);
    process.stdout.write(`${id}\n`);
  }
}

main().catch((error) => {
  process.stderr.write(`${(error as Error).stack}\n`);
  process.exit(1);
});
