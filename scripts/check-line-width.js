#!/usr/bin/env node
// Fails when a source line is longer than the formatter's lineWidth (biome.json). The formatter cannot break
// comments, string literals or regular expressions, so this holds the cap where it stops. JSON is exempt: a JSON
// string (a locale text, an example flow's info) cannot be split across lines. A file whose first line says it is
// generated is exempt too.
const fs = require('node:fs');
const path = require('node:path');
const { execFileSync } = require('node:child_process');

const root = path.resolve(__dirname, '..');
const cap = JSON.parse(fs.readFileSync(path.join(root, 'biome.json'), 'utf8')).formatter.lineWidth;
const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '*.ts', '*.js'], {
  cwd: root,
  encoding: 'utf8',
})
  .split('\n')
  .filter((file) => file && fs.existsSync(path.join(root, file)));
const over = [];
for (const file of files) {
  const lines = fs.readFileSync(path.join(root, file), 'utf8').split('\n');
  if (/generated/i.test(lines[0] ?? '')) continue;
  lines.forEach((line, index) => {
    if ([...line].length > cap) over.push(`${file}:${index + 1} has ${[...line].length} characters`);
  });
}
if (over.length > 0) {
  console.error(`${over.length} line(s) longer than ${cap} characters (biome.json lineWidth):`);
  for (const line of over) console.error(`  ${line}`);
  process.exit(1);
}
console.log(`no line over ${cap} characters in ${files.length} files`);
