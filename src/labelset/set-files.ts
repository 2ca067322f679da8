import { mkdir, open, stat } from 'node:fs/promises';
import { toError } from '../to-error';
import { writeFileAtomic, writeNewFileDurably } from './atomic-file';
import { LabelSetError } from './errors';
import { LABELSET_LIMITS } from './limits';

export async function folderExists(folder: string): Promise<boolean> {
  try {
    const info = await stat(folder);
    if (!info.isDirectory())
      throw new LabelSetError('missing', `Label set folder ${folder} is not a folder`, { file: folder });
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    if (error instanceof LabelSetError) throw error;
    throw ioError(`Cannot read the label set folder ${folder}`, folder, error);
  }
}

/** The file's text, or undefined when it does not exist; refuses (as corrupt) a file beyond the size limit. */
export async function readBounded(file: string): Promise<string | undefined> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(file, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw ioError(`Cannot read the label set file ${file}`, file, error);
  }
  try {
    const info = await handle.stat();
    if (!info.isFile()) throw new LabelSetError('corrupt', `Label set file ${file} is not a regular file`, { file });
    if (info.size > LABELSET_LIMITS.maxFileBytes) {
      throw new LabelSetError(
        'corrupt',
        `Label set file ${file} is ${info.size} bytes, more than a set within the limits can be ` +
          `(${LABELSET_LIMITS.maxFileBytes}); it was left as it is`,
        { file },
      );
    }
    const buffer = Buffer.alloc(info.size);
    const { bytesRead } = await handle.read(buffer, 0, info.size, 0);
    return buffer.subarray(0, bytesRead).toString('utf8');
  } finally {
    await handle.close();
  }
}

export async function readThumbnailFile(file: string): Promise<Buffer> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(file, 'r');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'missing' : 'io';
    throw new LabelSetError(code, `Cannot read the example crop ${file}: ${toError(error).message}`, {
      file,
      cause: error,
    });
  }
  try {
    const info = await handle.stat();
    if (info.size > LABELSET_LIMITS.maxThumbnailBytes) {
      throw new LabelSetError(
        'bad-thumbnail',
        `Example crop ${file} is ${info.size} bytes, more than ${LABELSET_LIMITS.maxThumbnailBytes}`,
        {
          file,
        },
      );
    }
    const buffer = Buffer.alloc(info.size);
    const { bytesRead } = await handle.read(buffer, 0, info.size, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

export async function mkdirOrFail(folder: string): Promise<void> {
  try {
    await mkdir(folder, { recursive: true });
  } catch (error) {
    throw ioError(`Cannot create the label set folder ${folder}`, folder, error);
  }
}

export async function writeOrFail(file: string, data: string | Uint8Array): Promise<void> {
  try {
    await writeFileAtomic(file, data);
  } catch (error) {
    throw ioError(`Cannot write ${file}; the label set is unchanged`, file, error);
  }
}

/** `writeNewFileDurably` with the label set's error: for an example's crop, named by its journal line's length. */
export async function writeNewOrFail(file: string, data: Uint8Array): Promise<void> {
  try {
    await writeNewFileDurably(file, data);
  } catch (error) {
    throw ioError(`Cannot write ${file}; the label set is unchanged`, file, error);
  }
}

function ioError(message: string, file: string, cause: unknown): LabelSetError {
  return new LabelSetError('io', `${message}: ${toError(cause).message}`, { file, cause });
}
