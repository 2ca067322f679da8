import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { LabelSet, LabelSetError } from '../../index';
import type { CliCommand } from '../command';
import { storedModel } from '../label-set-option';

const HELP = `Usage: mobilenet labels --set DIR [--json]

Lists the classes of the label set in DIR with their example counts, and the model it was
taught with. No model is loaded.

  --set DIR   the label set's folder
  --json      one JSON object: {"set", "name", "model", "classes"}, each class
              {"label", "count", "examples": [{"id", "thumbnail", "addedAt"}]}`;

export const labelsCommand: CliCommand = {
  summary: "list a label set's classes and example counts",
  async run(args) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: {
        set: { type: 'string' },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
    if (values.help) {
      console.log(HELP);
      return 0;
    }
    if (!values.set || positionals.length > 0) {
      const problem = values.set ? `unexpected argument "${positionals[0]}"` : '--set DIR is required';
      console.error(`mobilenet labels: ${problem}\n\n${HELP}`);
      return 2;
    }
    const dir = path.resolve(values.set);
    const model = await storedModel(dir);
    if (!model) throw new LabelSetError('missing', `no label set in ${dir}: teach one with mobilenet teach --set`);
    // Opened for its own model: listing needs no embeddings, and a set is only ever read here.
    const set = await LabelSet.open(dir, { fingerprint: model.fingerprint, embeddingSize: model.embeddingSize });
    const classes = set.classes();
    if (values.json) {
      console.log(JSON.stringify({ set: dir, name: set.name, model: set.model, classes }));
      return 0;
    }
    console.log(`${set.name} (${dir}), taught with ${model.name ?? 'an unnamed model'} [${model.fingerprint}]`);
    if (classes.length === 0) console.log('  no classes yet');
    for (const c of classes) console.log(`  ${c.label.padEnd(24)} ${c.count} example${c.count === 1 ? '' : 's'}`);
    return 0;
  },
};
