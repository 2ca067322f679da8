/** What `npm start` does with an image from FRAMES_DIR once classified, as mobilenet-camera properties. */
export interface FramesRetention {
  retention: 'keep' | 'newest' | 'delete' | 'move';
  keepNewest?: number;
  moveTo?: string;
}

/**
 * The default keeps the newest 1000 images: a photo copied in by hand stays there to look at,
 * and a camera saving a still a second (86,400 files a day) can never fill a headless Pi's SD card.
 */
export const DEFAULT_FRAMES_RETENTION = 'newest:1000';

/** Reads FRAMES_RETENTION: newest:<N>, delete, move:<folder> or keep. */
export function parseFramesRetention(value: string | undefined): FramesRetention {
  const text = value === undefined || value.trim() === '' ? DEFAULT_FRAMES_RETENTION : value.trim();
  if (text === 'keep' || text === 'delete') return { retention: text };
  const newest = /^newest:(\d+)$/.exec(text);
  if (newest && Number(newest[1]) >= 1) return { retention: 'newest', keepNewest: Number(newest[1]) };
  if (text.startsWith('move:') && text.slice(5).trim() !== '')
    return { retention: 'move', moveTo: text.slice(5).trim() };
  throw new Error(
    `FRAMES_RETENTION must be newest:<N> (keep the N newest images, N >= 1; default ${DEFAULT_FRAMES_RETENTION}), ` +
      `delete, move:<folder> (relative to FRAMES_DIR, or absolute) or keep, got "${value}"`,
  );
}
