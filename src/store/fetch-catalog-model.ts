import type { CatalogEntry } from '../zoo/catalog';
import { fetchModel, type FetchModelOptions } from './download';

/**
 * fetchModel for a catalog entry: cached under the entry's name, checked against its pinned sha256,
 * and for archived .tflite files, taking the right member out of the archive.
 */
export function fetchCatalogModel(entry: CatalogEntry, options: Omit<FetchModelOptions, 'name' | 'sha256' | 'member'> = {}): Promise<string> {
  return fetchModel(entry.url, { ...options, name: entry.name, sha256: entry.sha256, member: entry.archiveMember });
}
