/**
 * For a bench file started as a script (`node dist/bench/<name>.js`): runs its bench and prints the results as
 * indented JSON, or the error with exit code 1. Nothing happens when the file is required (by `npm run bench`).
 */
export function printWhenRunDirectly(file: NodeModule, bench: () => Promise<Record<string, unknown>>): void {
  if (require.main !== file) return;
  bench().then(
    (results) => console.log(JSON.stringify(results, null, 2)),
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
