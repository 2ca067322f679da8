/**
 * Splits the editor's "arguments" text into argv the way a user expects from a shell command
 * line, without a shell: quotes group words, a backslash escapes the next character, and nothing
 * is expanded ($VAR, ~, *, ;, | and backticks stay literal). The command never passes through
 * /bin/sh, so no text in the configuration can start a second program.
 */
export function splitArgs(text: string): string[] {
  const args: string[] = [];
  let current = '';
  let inWord = false;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote === "'") {
      if (c === "'") quote = undefined;
      else current += c;
    } else if (quote === '"') {
      if (c === '"') quote = undefined;
      else if (c === '\\' && (text[i + 1] === '"' || text[i + 1] === '\\')) current += text[++i];
      else current += c;
    } else if (c === "'" || c === '"') {
      quote = c;
      inWord = true;
    } else if (c === '\\') {
      if (i + 1 >= text.length)
        throw new SyntaxError('arguments end with a lone backslash: escape it as \\\\ or remove it');
      current += text[++i];
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) args.push(current);
      current = '';
      inWord = false;
    } else {
      current += c;
      inWord = true;
    }
  }
  if (quote)
    throw new SyntaxError(
      `arguments have an unterminated ${quote === '"' ? 'double' : 'single'} quote: close it with ${quote}`,
    );
  if (inWord) args.push(current);
  return args;
}
