import { parseArgs } from 'node:util';
import type { CliCommand } from '../command';
import { cacheDir } from '../../store/cache';
import { cachedModelPath, fetchModel, type FetchModelOptions } from '../../store/download';
import { catalogFetchOptions } from '../../store/fetch-catalog-model';
import { CATALOG, type CatalogEntry, catalogNames, findCatalogEntry } from '../../zoo/catalog';
import { describeArchitecture } from '../../zoo/cost';
import { formatBytes } from '../../store/byte-units';
import { downloadProgressPrinter } from '../download-progress';
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
  --list          print the catalog: name, download size, cached or not (in --cache)
  --quiet         no progress on stderr`;

/** The bytes a catalog model downloads: exact when its files are pinned, else estimated from its parameters. */
function downloadSize(entry: CatalogEntry): string {
  if (entry.bytes) return formatBytes(Object.values(entry.bytes).reduce((sum, n) => sum + n, 0));
  const { params } = describeArchitecture(entry);
  const estimate = `~${formatBytes(params * (entry.quantized ? 1 : 4))}`;
  return entry.archiveMember ? `${estimate} .tflite in a larger .tgz` : estimate;
}

/** One line per catalog model: name, download size, and whether it is already in the cache (usable offline). */
async function listCatalog(cache: string): Promise<string> {
  const rows: string[][] = [['name', 'download', 'in the cache']];
  for (const entry of CATALOG) {
    const options: FetchModelOptions = { ...catalogFetchOptions(entry), cacheDir: cache };
    const cached = await cachedModelPath(entry.url, options).catch(() => undefined);
    rows.push([entry.name, downloadSize(entry), cached ? 'cached' : 'not cached']);
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => row[i].length)));
  return rows
    .map((row) =>
      row
        .map((cell, i) => cell.padEnd(widths[i]))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
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
      const cache = values.cache ?? cacheDir();
      console.log(`${await listCatalog(cache)}\n\ncache: ${cache}`);
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
    const printer = downloadProgressPrinter(process.stderr, 'downloading');
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
