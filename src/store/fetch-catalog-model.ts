import type { CatalogEntry } from '../zoo/catalog';
import { fetchModel, type FetchModelOptions } from './download';

type CatalogOwned = 'name' | 'sha256' | 'expectedBytes' | 'maxBytes' | 'member';

/** What a catalog entry fixes about its download: cache name, pinned sha256 and sizes, size bounds, archive member. */
export function catalogFetchOptions(entry: CatalogEntry): Pick<FetchModelOptions, CatalogOwned> {
  return {
    name: entry.name,
    sha256: entry.sha256,
    expectedBytes: entry.bytes,
    maxBytes: entry.maxBytes,
    member: entry.archiveMember,
  };
}

/**
 * fetchModel for a catalog entry: cached under the entry's name, checked against its pinned sha256
 * and sizes, bounded by its known sizes, and for archived .tflite files, taking the right member out.
 */
export function fetchCatalogModel(
  entry: CatalogEntry,
  options: Omit<FetchModelOptions, CatalogOwned> = {},
): Promise<string> {
  return fetchModel(entry.url, { ...options, ...catalogFetchOptions(entry) });
}
