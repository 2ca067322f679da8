/**
 * Preloaded (`node --require`) into every process the fuzz run watches. It only observes: the
 * process still dies of an uncaught exception or unhandled rejection as it would in production,
 * and the run reads this line from its stderr to count it.
 */
export const UNCAUGHT_MARKER = 'FUZZ-UNCAUGHT';

process.on('uncaughtExceptionMonitor', (error: unknown, origin: string) => {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  process.stderr.write(`\n${UNCAUGHT_MARKER} ${origin} ${JSON.stringify(text.slice(0, 400))}\n`);
});
