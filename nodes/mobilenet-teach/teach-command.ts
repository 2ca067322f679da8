import { type ImageInput, toImageInput } from '../../src';
import type { ClassCount, LabelSetService } from '../mobilenet-label-set/label-set-service';
import type { NodeMessage } from '../shared/red-api';

export const TEACH_COMMANDS = [
  'add',
  'reembed',
  'forget',
  'relabel',
  'remove',
  'list',
  'review',
  'export',
  'import',
] as const;
export type TeachCommand = (typeof TEACH_COMMANDS)[number];

/** A msg the teach node cannot act on (no label, unknown command): the caller's mistake. */
export class TeachInputError extends Error {
  override name = 'TeachInputError';
}

/** Thumbnails per class in `list` with msg.thumbnails: a dashboard needs the newest few, not all 500. */
const THUMBNAILS_PER_CLASS = 24;

/** What a command did, written onto the msg by `applyAnswer`. */
export interface TeachAnswer {
  command: TeachCommand;
  classes: ClassCount[];
  /** `add`: the new example. */
  added?: { id: string; label: string };
  /** `export`: the set as data; `review`: the frames kept; `list` with thumbnails: the classes with them. */
  data?: unknown;
}

/** msg.command, or `add` when the msg carries a label and no command. */
export function commandOf(msg: NodeMessage): TeachCommand {
  const command = msg.command ?? (msg.label !== undefined ? 'add' : undefined);
  if (command === undefined) {
    throw new TeachInputError(
      'Set msg.label (with the image in msg.payload) to teach an example, or msg.command to one of ' +
        `${TEACH_COMMANDS.join(', ')}`,
    );
  }
  if (typeof command !== 'string' || !(TEACH_COMMANDS as readonly string[]).includes(command)) {
    throw new TeachInputError(
      `msg.command must be one of ${TEACH_COMMANDS.join(', ')}, got ${JSON.stringify(command)}`,
    );
  }
  return command as TeachCommand;
}

/** A label from the msg; the set itself refuses bad characters and reserved names. */
function labelFrom(msg: NodeMessage, property: 'label' | 'to'): string {
  const value = msg[property];
  if (typeof value !== 'string' || value.trim() === '') {
    throw new TeachInputError(`msg.${property} must be a non-empty label, got ${JSON.stringify(value ?? null)}`);
  }
  return value;
}

/**
 * The msg's image; without one, the last frame a classify node saw through the set ("teach what it sees now"):
 * of the camera `msg.source` names (an MQTT teach command's `<prefix>/<source>/teach`), else of any camera.
 */
function imageFrom(msg: NodeMessage, service: LabelSetService): ImageInput {
  if (msg.payload === undefined || msg.payload === null || msg.payload === '') {
    if (msg.source !== undefined && typeof msg.source !== 'string') {
      throw new TeachInputError(`msg.source must name a camera (a string), got ${JSON.stringify(msg.source)}`);
    }
    const last = service.frameOf(msg.source);
    if (!last) {
      throw new TeachInputError(
        msg.source === undefined
          ? 'msg.payload holds no image, and no classify node has seen a frame through this set yet to teach instead'
          : 'msg.payload holds no image, and no classify node has seen a frame of source ' +
              `${JSON.stringify(msg.source)} ` +
              'through this set yet to teach instead',
      );
    }
    return toImageInput(last.bytes);
  }
  return toImageInput(msg.payload, { width: msg.width, height: msg.height, channels: msg.channels });
}

function exampleFrom(msg: NodeMessage): string {
  const id = msg.example;
  if (typeof id !== 'string') {
    throw new TeachInputError(`msg.example must be an example id, got ${JSON.stringify(id ?? null)}`);
  }
  return id;
}

/** Runs one teach command against the set. */
export async function runCommand(service: LabelSetService, msg: NodeMessage): Promise<TeachAnswer> {
  const command = commandOf(msg);
  const answer = (extra: Partial<TeachAnswer> = {}): TeachAnswer => ({ command, classes: service.counts(), ...extra });
  switch (command) {
    case 'add': {
      const label = labelFrom(msg, 'label');
      const added = await service.teach(imageFrom(msg, service), label);
      return answer({ added });
    }
    case 'forget':
      await service.forget(labelFrom(msg, 'label'));
      return answer();
    case 'relabel':
      // With msg.example: that one example moves to msg.to (taught under the wrong label); else the whole class.
      if (msg.example !== undefined) await service.moveExample(exampleFrom(msg), labelFrom(msg, 'to'));
      else await service.relabel(labelFrom(msg, 'label'), labelFrom(msg, 'to'));
      return answer();
    case 'remove':
      await service.removeExample(exampleFrom(msg));
      return answer();
    case 'reembed':
      await service.reembed();
      return answer();
    case 'list':
      await service.whenOpen();
      return msg.thumbnails === true
        ? answer({ data: await service.classesWithThumbnails(THUMBNAILS_PER_CLASS) })
        : answer();
    case 'review':
      await service.whenOpen();
      return answer({ data: service.reviewItems() });
    case 'export':
      return answer({ data: await service.exportSet() });
    case 'import':
      await service.importSet(msg.payload);
      return answer();
  }
}

/** msg.payload = the classes and counts (or the command's data); msg.teach = what was done. */
export function applyAnswer(msg: NodeMessage, answer: TeachAnswer): void {
  msg.payload = answer.data ?? answer.classes;
  msg.classes = answer.classes;
  msg.teach = { command: answer.command, ...(answer.added ? { added: answer.added } : {}) };
}
