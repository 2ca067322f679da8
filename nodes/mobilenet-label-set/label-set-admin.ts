import { isLabelSetError, toError } from '../../src';
import type { HttpRequest, HttpResponse, RedApi } from '../shared/red-api';
import { isLabelSetNode } from './label-set-node';
import type { LabelSetService } from './label-set-service';

/**
 * The editor's view of a deployed label set: its classes with thumbnails and counts, deleting an
 * example or a class, moving an example to another class, and the last frame to draw the region of
 * interest on. Reading needs `mobilenet-label-set.read`, changing `mobilenet-label-set.write`; changes
 * are DELETE or POST, never GET.
 */
const ROOT = '/mobilenet/label-sets/:id';

function serviceFor(RED: RedApi, req: HttpRequest, res: HttpResponse): LabelSetService | undefined {
  const node = RED.nodes.getNode(String(req.params.id));
  if (!isLabelSetNode(node)) {
    res.status(404).json({ error: 'No deployed label set has this id: deploy the flow first' });
    return undefined;
  }
  if (!node.service) {
    res.status(409).json({ error: node.configError?.message ?? 'This label set is not configured' });
    return undefined;
  }
  return node.service;
}

function fail(res: HttpResponse, error: unknown): void {
  const status = isLabelSetError(error) ? (error.code === 'not-found' ? 404 : 400) : 500;
  res.status(status).json({ error: toError(error).message });
}

/** Thumbnails shown per class: the editor's list stays small whatever the set holds. */
const SHOWN_PER_CLASS = 24;

/**
 * The set's classes as the editor lists them, thumbnails inline as data URLs: an <img> cannot send
 * the editor's access token, so a thumbnail URL would be refused once the editor has a login.
 */
async function describe(service: LabelSetService): Promise<unknown> {
  const state = service.state;
  const classes = await service.classesWithThumbnails(SHOWN_PER_CLASS);
  return {
    name: service.settings.name,
    dir: service.settings.dir,
    roi: service.settings.roi ?? null,
    state: state.phase,
    error: state.phase === 'error' ? state.error.message : undefined,
    lastFrameAt: service.lastFrame?.at ?? null,
    classes,
  };
}

function answer(res: HttpResponse, service: LabelSetService): void {
  describe(service).then(
    (body) => res.json(body),
    (error: unknown) => fail(res, error),
  );
}

/** The frame's type from its first bytes (what camera nodes send: JPEG, sometimes PNG or WebP). */
function imageType(bytes: Buffer): string {
  if (bytes[0] === 0xff && bytes[1] === 0xd8) return 'image/jpeg';
  if (bytes.subarray(0, 4).toString('latin1') === '\x89PNG') return 'image/png';
  if (bytes.subarray(8, 12).toString('latin1') === 'WEBP') return 'image/webp';
  return 'application/octet-stream';
}

export function registerLabelSetAdmin(RED: RedApi): void {
  const read = RED.auth.needsPermission('mobilenet-label-set.read');
  const write = RED.auth.needsPermission('mobilenet-label-set.write');

  RED.httpAdmin.get(ROOT, read, (req, res) => {
    const service = serviceFor(RED, req, res);
    if (service) answer(res, service);
  });

  RED.httpAdmin.get(`${ROOT}/frame`, read, (req, res) => {
    const service = serviceFor(RED, req, res);
    if (!service) return;
    if (!service.lastFrame) {
      res.status(404).json({ error: 'No frame has been classified with this set since the last deploy' });
      return;
    }
    const bytes = service.lastFrame.bytes;
    res.set({ 'content-type': imageType(bytes), 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
    res.send(bytes);
  });

  RED.httpAdmin.delete(`${ROOT}/examples/:example`, write, (req, res) => {
    const service = serviceFor(RED, req, res);
    if (!service) return;
    service.removeExample(String(req.params.example)).then(
      () => answer(res, service),
      (error: unknown) => fail(res, error),
    );
  });

  // A POST with a JSON body {"label"}: like the DELETEs, never a GET, so no link or <img> can change the set.
  RED.httpAdmin.post(`${ROOT}/examples/:example/label`, write, (req, res) => {
    const service = serviceFor(RED, req, res);
    if (!service) return;
    const to = (req.body as { label?: unknown } | undefined)?.label;
    if (typeof to !== 'string') {
      res.status(400).json({ error: 'Send the new label as JSON {"label": "..."}' });
      return;
    }
    service.moveExample(String(req.params.example), to).then(
      () => answer(res, service),
      (error: unknown) => fail(res, error),
    );
  });

  RED.httpAdmin.delete(`${ROOT}/classes/:label`, write, (req, res) => {
    const service = serviceFor(RED, req, res);
    if (!service) return;
    service.forget(String(req.params.label)).then(
      () => answer(res, service),
      (error: unknown) => fail(res, error),
    );
  });
}
