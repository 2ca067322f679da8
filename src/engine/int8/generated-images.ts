/**
 * The default calibration set, used when the user gives no images: 24 pictures generated from a
 * fixed seed, the same on every machine. No photo ships with the package, so none can be the
 * default; what int8 grids need from calibration is the spread of activations that camera images
 * cause, and that comes from the statistics of natural images rather than their content:
 * smooth shading with detail at every scale (noise whose amplitude falls with frequency, as a
 * photograph's spectrum does), correlated colour channels, and hard-edged flat objects in front.
 * The user's own frames (`--calibrate DIR`) are better still: they are what the model will see.
 */

export const GENERATED_IMAGE_COUNT = 24;

/** Mulberry32: a small seeded generator, so the set is reproducible. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Value noise on a grid of `cells` cells, bilinearly interpolated to width × height, in [-1, 1]. */
function valueNoise(width: number, height: number, cells: number, next: () => number): Float32Array {
  const grid = Float32Array.from({ length: (cells + 1) * (cells + 1) }, () => next() * 2 - 1);
  const out = new Float32Array(width * height);
  for (let y = 0; y < height; y++) {
    const gy = (y / height) * cells;
    const y0 = Math.floor(gy);
    const fy = gy - y0;
    for (let x = 0; x < width; x++) {
      const gx = (x / width) * cells;
      const x0 = Math.floor(gx);
      const fx = gx - x0;
      const at = (i: number, j: number): number => grid[(y0 + j) * (cells + 1) + x0 + i];
      const top = at(0, 0) * (1 - fx) + at(1, 0) * fx;
      const bottom = at(0, 1) * (1 - fx) + at(1, 1) * fx;
      out[y * width + x] = top * (1 - fy) + bottom * fy;
    }
  }
  return out;
}

/** One generated RGB image, height × width × 3 interleaved, 0..255. */
export function generatedImage(index: number, width: number, height: number): Uint8Array {
  const next = random(0x6d6f626e + index * 7919);
  // Background: octaves of noise, amplitude halving as the cells double (a 1/f-like spectrum).
  const luminance = new Float32Array(width * height);
  const tint = [new Float32Array(width * height), new Float32Array(width * height)];
  for (let octave = 0, cells = 2, amplitude = 1; cells <= Math.max(width, height) / 2; octave++) {
    const layer = valueNoise(width, height, cells, next);
    for (let i = 0; i < layer.length; i++) luminance[i] += layer[i] * amplitude;
    if (octave < 3) {
      for (const channel of tint) {
        const colour = valueNoise(width, height, cells, next);
        for (let i = 0; i < colour.length; i++) channel[i] += colour[i] * amplitude * 0.5;
      }
    }
    cells *= 2;
    amplitude *= 0.5;
  }
  const brightness = 60 + next() * 120;
  const contrast = 40 + next() * 60;
  const rgb = new Uint8Array(width * height * 3);
  for (let i = 0; i < width * height; i++) {
    const l = brightness + luminance[i] * contrast;
    rgb[3 * i] = clamp(l + tint[0][i] * contrast);
    rgb[3 * i + 1] = clamp(l - (tint[0][i] + tint[1][i]) * contrast * 0.5);
    rgb[3 * i + 2] = clamp(l + tint[1][i] * contrast);
  }
  // Foreground: flat-coloured ellipses and rectangles with hard edges, lit by a gradient.
  const shapes = 2 + Math.floor(next() * 5);
  for (let s = 0; s < shapes; s++) {
    const cx = next() * width;
    const cy = next() * height;
    const rx = (0.05 + next() * 0.3) * width;
    const ry = (0.05 + next() * 0.3) * height;
    const ellipse = next() < 0.5;
    const colour = [next() * 255, next() * 255, next() * 255];
    const shade = (next() - 0.5) * 80;
    for (let y = Math.max(0, Math.floor(cy - ry)); y < Math.min(height, Math.ceil(cy + ry)); y++) {
      for (let x = Math.max(0, Math.floor(cx - rx)); x < Math.min(width, Math.ceil(cx + rx)); x++) {
        const dx = (x - cx) / rx;
        const dy = (y - cy) / ry;
        if (ellipse && dx * dx + dy * dy > 1) continue;
        const light = shade * dy;
        for (let c = 0; c < 3; c++) rgb[3 * (y * width + x) + c] = clamp(colour[c] + light);
      }
    }
  }
  return rgb;
}

function clamp(value: number): number {
  return value < 0 ? 0 : value > 255 ? 255 : Math.round(value);
}
