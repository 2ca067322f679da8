import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import ts from 'typescript';

/**
 * One door into the core: the Node-RED nodes and the app import only what src/index.ts exports,
 * and that index names every export and documents it. Checked on the sources, so a deep import
 * fails here before it is copied into the next node.
 */

const ROOT = path.join(__dirname, '..', '..');
const SRC = path.join(ROOT, 'src');
const INDEX = path.join(SRC, 'index.ts');

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(file);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [file] : [];
  });
}

/** Every relative import, export-from, require and import() of a file, resolved to a path. */
function relativeImports(file: string): Array<{ specifier: string; target: string }> {
  const info = ts.preProcessFile(fs.readFileSync(file, 'utf8'), true, true);
  return info.importedFiles
    .map((ref) => ref.fileName)
    .filter((specifier) => specifier.startsWith('.'))
    .map((specifier) => ({ specifier, target: path.resolve(path.dirname(file), specifier) }));
}

function isInside(dir: string, target: string): boolean {
  const relative = path.relative(dir, target);
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}

/** What a room imports that it should not: `file: specifier`, one per line. */
function strayImports(room: string, stray: (target: string) => boolean): string[] {
  return sourceFiles(path.join(ROOT, room)).flatMap((file) =>
    relativeImports(file)
      .filter(({ target }) => stray(target))
      .map(({ specifier }) => `${path.relative(ROOT, file)}: ${specifier}`),
  );
}

const intoSrcBehindIndex = (target: string): boolean =>
  isInside(SRC, target) && target !== SRC && target !== path.join(SRC, 'index');

describe('public API: one door into the core', function () {
  it('nodes/ import nothing from src/ but its index', function () {
    assert.deepEqual(strayImports('nodes', intoSrcBehindIndex), []);
  });

  it('app/ imports nothing from src/ but its index, and nothing from a node folder', function () {
    assert.deepEqual(strayImports('app', intoSrcBehindIndex), []);
    assert.deepEqual(
      strayImports('app', (target) => isInside(path.join(ROOT, 'nodes'), target)),
      [],
    );
  });

  it('nodes/, app/ and bench/ import nothing from test/', function () {
    const intoTests = (target: string): boolean => isInside(path.join(ROOT, 'test'), target);
    for (const room of ['nodes', 'app']) assert.deepEqual(strayImports(room, intoTests), [], room);
    const fixtures = strayImports('bench', (target) => target === path.join(ROOT, 'test', 'fixtures'));
    assert.deepEqual(fixtures, [], 'bench finds the shared fixtures through fixtures/, not test/');
  });

  describe('src/index.ts', function () {
    let program: ts.Program;
    let checker: ts.TypeChecker;
    let exports: ts.Symbol[];

    before(function () {
      this.timeout(60000);
      program = ts.createProgram([INDEX], { strict: true, skipLibCheck: true, noEmit: true, types: [] });
      checker = program.getTypeChecker();
      const index = program.getSourceFile(INDEX);
      assert.ok(index, 'src/index.ts is part of the program');
      const moduleSymbol = checker.getSymbolAtLocation(index);
      assert.ok(moduleSymbol, 'src/index.ts is a module');
      exports = checker.getExportsOfModule(moduleSymbol);
    });

    const declared = (symbol: ts.Symbol): ts.Symbol =>
      symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;

    it('names every export (no export *) and fits on a screen', function () {
      const text = fs.readFileSync(INDEX, 'utf8');
      assert.doesNotMatch(text, /export\s*\*/);
      assert.ok(text.split('\n').length <= 70, `${text.split('\n').length} lines`);
      assert.ok(exports.length > 0);
    });

    it('documents every export', function () {
      const undocumented = exports
        .filter((symbol) => ts.displayPartsToString(declared(symbol).getDocumentationComment(checker)).trim() === '')
        .map((symbol) => symbol.name);
      assert.deepEqual(undocumented, []);
    });

    it('says what Classifier.load and classify reject with', function () {
      const classifier = exports.find((symbol) => symbol.name === 'Classifier');
      assert.ok(classifier);
      const members = declared(classifier);
      const throwsOf = (member: ts.Symbol | undefined): string =>
        (member?.getJsDocTags(checker) ?? [])
          .filter((tag) => tag.name === 'throws')
          .map((tag) => ts.displayPartsToString(tag.text))
          .join('\n');
      const load = throwsOf(members.exports?.get('load' as ts.__String));
      const classify = throwsOf(members.members?.get('classify' as ts.__String));
      assert.match(load, /ModelLoadError/);
      for (const error of ['ImageError', 'FrameDroppedError']) assert.match(classify, new RegExp(error));
    });
  });
});
