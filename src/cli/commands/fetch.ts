import { parseArgs } from 'node:util';
import type { CliCommand } from '../command';
import { cacheDir } from '../../store/cache';
import { cachedModelPath, fetchModel, type DownloadProgress, type FetchModelOptions } from '../../store/download';
import { catalogFetchOptions } from '../../store/fetch-catalog-model';
import { catalogNames, findCatalogEntry } from '../../zoo/catalog';
import { toError } from '../../to-error';

const HELP = `Usage: mobilenet fetch NAME|URL [--cache DIR] [--name NAME] [--quiet]

Downloads a model into the cache so it can be used offline (for a Pi without internet), checks
every file (sizes against model.json's weights manifest, pinned sha256 for catalog models), and
prints where it is: the model folder (TF.js) or the .tflite file. A model already cached is not
downloaded again.

  NAME            a catalog name, e.g. mobilenet_v1_0.25_224 (list: mobilenet fetch --list)
  URL             an http(s) URL of a model.json, a .tflite file, a .tgz holding a .tflite, or a TF Hub handle
  --cache DIR     cache folder (default: $MOBILENET_CACHE or ~/.cache/node-red-contrib-mobilenet-mqtt)
  --name NAME     cache folder name for a URL (default: derived from the URL)
  --list          print the catalog names and exit
  --quiet         no progress on stderr`;

function humanBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} kB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** On a terminal one line redrawn in place; in a log one line per finished file. */
function progressPrinter(stream: NodeJS.WriteStream): { onProgress(p: DownloadProgress): void; finish(): void } {
  let lastDone = -1;
  let drewLine = false;
  return {
    onProgress(p) {
      if (stream.isTTY) {
        const of = p.totalBytes !== undefined ? ` of ${humanBytes(p.totalBytes)}` : '';
        stream.write(`\r\x1b[K[${p.filesDone}/${p.filesTotal}] ${p.file} ${humanBytes(p.bytes)}${of}`);
        drewLine = true;
      } else if (p.filesDone !== lastDone && p.filesDone > 0) {
        stream.write(`[${p.filesDone}/${p.filesTotal}] ${p.file} ${humanBytes(p.bytes)}\n`);
      }
      lastDone = p.filesDone;
    },
    finish() {
      if (drewLine) stream.write('\n');
    },
  };
}

export const fetchCommand: CliCommand = {
  summary: 'download a model (catalog name or URL) into the cache for offline use',
  async run(args) {
    let parsed;
    try {
      parsed = parseArgs({
        args,
        allowPositionals: true,
        options: {
          cache: { type: 'string' },
          name: { type: 'string' },
          list: { type: 'boolean', default: false },
          quiet: { type: 'boolean', short: 'q', default: false },
          help: { type: 'boolean', short: 'h', default: false },
        },
      });
    } catch (error) {
      console.error(`mobilenet fetch: ${toError(error).message}\n\n${HELP}`);
      return 2;
    }
    const { values, positionals } = parsed;
    if (values.help) {
      console.log(HELP);
      return 0;
    }
    if (values.list) {
      console.log(catalogNames().join('\n'));
      return 0;
    }
    if (positionals.length !== 1) {
      console.error(`mobilenet fetch: give exactly one catalog name or URL (got ${positionals.length})\n\n${HELP}`);
      return 2;
    }
    const target = positionals[0];
    const entry = findCatalogEntry(target);
    if (!entry && !/^https?:\/\//i.test(target)) {
      console.error(
        `mobilenet fetch: "${target}" is neither a catalog name nor an http(s) URL. Catalog names: ` +
          `${catalogNames().join(', ')}`,
      );
      return 2;
    }
    if (entry && values.name !== undefined) {
      console.error('mobilenet fetch: --name is for URLs; a catalog model is cached under its own name');
      return 2;
    }
    const url = entry ? entry.url : target;
    const options: FetchModelOptions = entry ? catalogFetchOptions(entry) : { name: values.name };
    options.cacheDir = values.cache ?? cacheDir();

    const already = await cachedModelPath(url, options);
    if (already) {
      if (!values.quiet) console.error(`already cached: ${url}`);
      console.log(already);
      return 0;
    }
    const printer = progressPrinter(process.stderr);
    if (!values.quiet) {
      console.error(`fetching ${url} into ${options.cacheDir}`);
      options.onProgress = printer.onProgress;
    }
    try {
      const local = await fetchModel(url, options);
      printer.finish();
      console.log(local);
      return 0;
    } catch (error) {
      printer.finish();
      console.error(`mobilenet fetch: ${toError(error).message}`);
      return 1;
    }
  },
};
