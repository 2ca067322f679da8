import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { IMAGES, V1_025_LAYERS_DIR, V2_QUANT_TFLITE } from '../../fixtures';

/** The labels the set in `dir` holds on disk: `labelset.json`'s classes, then those of `examples.jsonl`'s adds. */
function labelsOnDisk(dir: string): string[] {
  const document = JSON.parse(fs.readFileSync(path.join(dir, 'labelset.json'), 'utf8')) as { classes: object };
  const journal = path.join(dir, 'examples.jsonl');
  const lines = fs.existsSync(journal) ? fs.readFileSync(journal, 'utf8').split('\n').slice(1) : [];
  const added = lines.filter((line) => line !== '').map((line) => (JSON.parse(line) as { label: string }).label);
  return [...new Set([...Object.keys(document.classes), ...added])];
}

const run = promisify(execFile);
const MAIN = path.join(__dirname, '..', '..', '..', 'src', 'cli', 'main.js');

async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [MAIN, ...args], { maxBuffer: 1 << 24 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

function photo(label: 'fork' | 'scissors', n: number): string {
  return path.join(IMAGES, 'fewshot', 'fork_scissors', label, `${label}_${n}.jpg`);
}

interface Line {
  file: string;
  predictions?: Array<{ label: string; score: number; index: number }>;
  timings?: Record<string, number>;
  error?: string;
}

describe('cli mobilenet teach / labels / classify --set', function () {
  this.timeout(300_000);
  let tmp: string;
  let set: string;

  before(async function () {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-teach-'));
    set = path.join(tmp, 'cutlery');
    const fork = await cli(
      'teach',
      '--model',
      V1_025_LAYERS_DIR,
      '--set',
      set,
      '--label',
      'fork',
      '--json',
      photo('fork', 1),
      photo('fork', 2),
      photo('fork', 3),
    );
    assert.equal(fork.code, 0, fork.stderr);
    // The set remembers its model: no --model the second time.
    const scissors = await cli(
      'teach',
      '--set',
      set,
      '--label',
      'scissors',
      photo('scissors', 1),
      photo('scissors', 2),
      photo('scissors', 3),
    );
    assert.equal(scissors.code, 0, scissors.stderr);
  });

  after(function () {
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('teach writes one example per image (JSON lines with its id) and the set on disk', function () {
    const document = JSON.parse(fs.readFileSync(path.join(set, 'labelset.json'), 'utf8'));
    assert.equal(document.model.embeddingSize, 256);
    assert.equal(document.model.name, V1_025_LAYERS_DIR);
    assert.deepEqual(labelsOnDisk(set), ['fork', 'scissors']);
    assert.equal(fs.readdirSync(path.join(set, 'examples')).filter((f) => f.endsWith('.jpg')).length, 6);
  });

  it('labels lists the classes with their counts, as text and as JSON', async function () {
    const text = await cli('labels', '--set', set);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /fork\s+3 examples/);
    assert.match(text.stdout, /scissors\s+3 examples/);
    const json = await cli('labels', '--set', set, '--json');
    const listed = JSON.parse(json.stdout) as {
      model: { fingerprint: string };
      classes: Array<{ label: string; count: number; examples: unknown[] }>;
    };
    assert.deepEqual(
      listed.classes.map((c) => [c.label, c.count, c.examples.length]),
      [
        ['fork', 3, 3],
        ['scissors', 3, 3],
      ],
    );
    assert.match(listed.model.fingerprint, /^[0-9a-f]{16}$/);
  });

  it('classify --set --json: held-out photos get the taught labels, in classify --json lines', async function () {
    const files = [photo('fork', 7), photo('fork', 8), photo('scissors', 7), photo('scissors', 8)];
    const result = await cli('classify', '--set', set, '--json', '--top', '2', ...files);
    assert.equal(result.code, 0, result.stderr);
    const lines = result.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Line);
    assert.deepEqual(
      lines.map((l) => l.file),
      files,
    );
    for (const line of lines) {
      assert.deepEqual(Object.keys(line), ['file', 'predictions', 'timings']);
      const expected = path.basename(line.file).split('_')[0];
      assert.equal(line.predictions?.[0].label, expected, JSON.stringify(line));
      assert.equal(line.predictions?.[0].index, expected === 'fork' ? 0 : 1);
      assert.ok((line.predictions?.length ?? 0) <= 2);
      assert.ok(typeof line.timings?.inferenceMs === 'number');
    }
  });

  it('every answer is a taught label or unknown, also for photos of neither', async function () {
    const files = ['parrot.jpg', 'rocket.jpg', 'coffee.png'].map((f) => path.join(IMAGES, f));
    const result = await cli('classify', '--set', set, '--json', ...files);
    assert.equal(result.code, 0, result.stderr);
    for (const line of result.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Line)) {
      assert.ok(['fork', 'scissors', 'unknown'].includes(line.predictions?.[0].label ?? ''), JSON.stringify(line));
    }
  });

  it('an existing set refuses another model, naming both, and is left unchanged', async function () {
    const files = ['labelset.json', 'examples.jsonl'].map((name) => path.join(set, name));
    const before = files.map((file) => fs.readFileSync(file, 'utf8'));
    const result = await cli('teach', '--model', V2_QUANT_TFLITE, '--set', set, '--label', 'fork', photo('fork', 4));
    assert.equal(result.code, 1);
    assert.match(
      result.stderr,
      /taught with model ".*mobilenet_v1_0\.25_224_tfjs_layers".*refuses ".*mobilenet_v2_1\.0_224_quant\.tflite"/,
    );
    assert.deepEqual(
      files.map((file) => fs.readFileSync(file, 'utf8')),
      before,
    );
    const classify = await cli('classify', '--model', V2_QUANT_TFLITE, '--set', set, photo('fork', 4));
    assert.equal(classify.code, 1);
    assert.match(classify.stderr, /refuses/);
  });

  it('says what is wrong with a missing set, a missing flag or a reserved label', async function () {
    const missing = await cli('classify', '--set', path.join(tmp, 'nothing'), photo('fork', 4));
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /no label set in .*nothing: teach one first/);
    const labels = await cli('labels', '--set', path.join(tmp, 'nothing'));
    assert.equal(labels.code, 1);
    assert.match(labels.stderr, /no label set in/);
    const noLabel = await cli('teach', '--set', set, photo('fork', 4));
    assert.equal(noLabel.code, 2);
    assert.match(noLabel.stderr, /--label L is required/);
    const reserved = await cli('teach', '--set', set, '--label', 'unknown', photo('fork', 4));
    assert.equal(reserved.code, 2);
    assert.match(reserved.stderr, /"unknown" is reserved/);
    const empty = await cli('teach', '--set', set, '--label', ' ', photo('fork', 4));
    assert.equal(empty.code, 2);
    assert.match(empty.stderr, /empty/);
  });

  it('teaching a file that is not an image fails that file only, with exit status 1', async function () {
    const text = path.join(tmp, 'notes.txt');
    fs.writeFileSync(text, 'not a picture');
    const result = await cli('teach', '--set', set, '--label', 'fork', '--json', text, photo('fork', 5));
    assert.equal(result.code, 1);
    const [bad, good] = result.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { file: string; error?: string; id?: string });
    assert.ok(bad.error, JSON.stringify(bad));
    assert.match(good.id ?? '', /^[0-9a-f]+$/);
  });
});
