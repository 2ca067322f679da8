// Runs one fetchModel in a process of its own, so a test can give it limits the test process must
// not have (another user, RLIMIT_FSIZE). Prints one JSON line: the path, or the error's name and
// message; a crash shows as a non-zero exit without that line.
import { fetchModel } from '../../src/store/download';

const [url, cacheDir] = process.argv.slice(2);
fetchModel(url!, { cacheDir: cacheDir!, name: 'model' }).then(
  (dir) => console.log(JSON.stringify({ ok: true, dir })),
  (error: unknown) => {
    const e = error instanceof Error ? error : new Error(String(error));
    console.log(
      JSON.stringify({ ok: false, name: e.name, message: e.message, code: (e as NodeJS.ErrnoException).code }),
    );
  },
);
