import { paretoFront, type TradeoffPoint } from './pareto';

/** One dot: a model (`label`) timed in one series (engine and precision). */
export interface ChartPoint extends TradeoffPoint {
  label: string;
  series: string;
}

export interface ChartOptions {
  title: string;
  xLabel: string;
  yLabel: string;
}

// Okabe–Ito: tells series apart for colour-blind readers too.
const COLOURS = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#F0E442', '#000000'];
const WIDTH = 820;
const HEIGHT = 520;
const MARGIN = { left: 64, right: 24, top: 48, bottom: 56 };

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function number(value: number): string {
  return Number(value.toFixed(1)).toString();
}

/** Log-scale ticks 1, 2, 5, 10, 20, 50 … within [min, max]. */
function logTicks(min: number, max: number): number[] {
  const ticks: number[] = [];
  for (let decade = 10 ** Math.floor(Math.log10(min)); decade <= max; decade *= 10) {
    for (const step of [1, 2, 5]) {
      const tick = decade * step;
      if (tick >= min && tick <= max) ticks.push(tick);
    }
  }
  return ticks;
}

/**
 * Latency (log x) against accuracy (y), one colour per series, with the Pareto front over every
 * series drawn as a dashed line and each of its points labelled. Plain SVG 1.1 written here: a
 * scatter plot with a line is a few dozen elements, not worth a charting dependency.
 */
export function tradeoffChart(points: readonly ChartPoint[], options: ChartOptions): string {
  const plotW = WIDTH - MARGIN.left - MARGIN.right;
  const plotH = HEIGHT - MARGIN.top - MARGIN.bottom;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" ` +
      `font-family="sans-serif" font-size="12">`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="#ffffff"/>`,
    `<text x="${WIDTH / 2}" y="24" text-anchor="middle" font-size="15">${escapeXml(options.title)}</text>`,
  ];
  if (points.length === 0) {
    parts.push(`<text x="${WIDTH / 2}" y="${HEIGHT / 2}" text-anchor="middle">no model was measured</text>`, '</svg>');
    return `${parts.join('\n')}\n`;
  }
  const xMin = Math.min(...points.map((p) => p.latencyMs)) / 1.25;
  const xMax = Math.max(...points.map((p) => p.latencyMs)) * 1.25;
  const yMin = Math.floor(Math.min(...points.map((p) => p.top1)) / 5) * 5 - 2;
  const yMax = Math.ceil(Math.max(...points.map((p) => p.top1)) / 5) * 5 + 2;
  const x = (ms: number) => MARGIN.left + (plotW * Math.log(ms / xMin)) / Math.log(xMax / xMin);
  const y = (top1: number) => MARGIN.top + plotH - (plotH * (top1 - yMin)) / (yMax - yMin);

  parts.push(`<g stroke="#dddddd">`);
  for (const tick of logTicks(xMin, xMax)) {
    parts.push(
      `<line x1="${x(tick).toFixed(1)}" y1="${MARGIN.top}" x2="${x(tick).toFixed(1)}" y2="${MARGIN.top + plotH}"/>`,
    );
  }
  for (let tick = Math.ceil(yMin / 5) * 5; tick <= yMax; tick += 5) {
    parts.push(
      `<line x1="${MARGIN.left}" y1="${y(tick).toFixed(1)}" x2="${MARGIN.left + plotW}" y2="${y(tick).toFixed(1)}"/>`,
    );
  }
  parts.push('</g>');
  parts.push(
    `<rect x="${MARGIN.left}" y="${MARGIN.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#333333"/>`,
  );
  for (const tick of logTicks(xMin, xMax)) {
    parts.push(`<text x="${x(tick).toFixed(1)}" y="${MARGIN.top + plotH + 16}" text-anchor="middle">${tick}</text>`);
  }
  for (let tick = Math.ceil(yMin / 5) * 5; tick <= yMax; tick += 5) {
    parts.push(`<text x="${MARGIN.left - 6}" y="${(y(tick) + 4).toFixed(1)}" text-anchor="end">${tick}</text>`);
  }
  parts.push(
    `<text x="${MARGIN.left + plotW / 2}" y="${HEIGHT - 14}" text-anchor="middle">${escapeXml(options.xLabel)}</text>`,
    `<text transform="translate(16 ${MARGIN.top + plotH / 2}) rotate(-90)" text-anchor="middle">` +
      `${escapeXml(options.yLabel)}</text>`,
  );

  const seriesNames = [...new Set(points.map((p) => p.series))];
  const colour = (series: string) => COLOURS[seriesNames.indexOf(series) % COLOURS.length];
  const front = paretoFront(points);
  parts.push(
    `<polyline fill="none" stroke="#444444" stroke-width="1.5" stroke-dasharray="5 4" points="` +
      `${front.map((p) => `${x(p.latencyMs).toFixed(1)},${y(p.top1).toFixed(1)}`).join(' ')}"/>`,
  );
  for (const point of points) {
    parts.push(
      `<circle cx="${x(point.latencyMs).toFixed(1)}" cy="${y(point.top1).toFixed(1)}" r="4" ` +
        `fill="${colour(point.series)}" fill-opacity="0.85"><title>${escapeXml(
          `${point.label} · ${point.series}: ${number(point.latencyMs)} ms, ${point.top1}%`,
        )}</title></circle>`,
    );
  }
  const oneSeries = seriesNames.length === 1;
  for (const [index, point] of front.entries()) {
    // Right of the point in the left half, left of it in the right half; neighbours alternate above
    // and below, so labels of points close together do not print over each other.
    const right = x(point.latencyMs) < MARGIN.left + plotW / 2;
    const dy = index % 2 === 0 ? -8 : 16;
    const text = `${point.label}${oneSeries ? '' : ` (${point.series})`} ${number(point.latencyMs)} ms`;
    parts.push(
      `<circle cx="${x(point.latencyMs).toFixed(1)}" cy="${y(point.top1).toFixed(1)}" r="7" fill="none" ` +
        `stroke="#222222"/>`,
      `<text x="${(x(point.latencyMs) + (right ? 10 : -10)).toFixed(1)}" y="${(y(point.top1) + dy).toFixed(1)}" ` +
        `text-anchor="${right ? 'start' : 'end'}" font-size="11">${escapeXml(text)}</text>`,
    );
  }
  const legendX = MARGIN.left + plotW - 190;
  let legendY = MARGIN.top + plotH - 18 * (seriesNames.length + 1) - 6;
  parts.push(
    `<rect x="${legendX - 10}" y="${legendY - 14}" width="196" height="${18 * (seriesNames.length + 1) + 8}" ` +
      `fill="#ffffff" stroke="#bbbbbb"/>`,
  );
  for (const series of seriesNames) {
    parts.push(
      `<circle cx="${legendX}" cy="${legendY - 4}" r="4" fill="${colour(series)}"/>`,
      `<text x="${legendX + 10}" y="${legendY}">${escapeXml(series)}</text>`,
    );
    legendY += 18;
  }
  parts.push(
    `<circle cx="${legendX}" cy="${legendY - 4}" r="7" fill="none" stroke="#222222"/>`,
    `<text x="${legendX + 12}" y="${legendY}">Pareto front (labelled)</text>`,
    '</svg>',
  );
  return `${parts.join('\n')}\n`;
}
