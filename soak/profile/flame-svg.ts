// A flame graph as inline SVG, no script: the root at the bottom, each function as wide as
// its share of the samples, its name written where it fits and in its <title> (the
// browser's tooltip) always. Names are guest input: every one is escaped.
import { escapeHtml as esc } from "../report/html-escape.ts";
import type { ProfileStack } from "./profile.ts";

const WIDTH = 1180;
const ROW = 17;
/** rows drawn at most: deeper frames are summed into their ancestor's box */
const MAX_ROWS = 64;
/** narrower than this (px) is not drawn */
const MIN_WIDTH = 0.4;
const CHAR_PX = 6.6;

interface Node {
  name: string;
  count: number;
  children: Map<string, Node>;
}

function tree(stacks: ProfileStack[]): Node {
  const root: Node = { name: "all", count: 0, children: new Map() };
  for (const s of stacks) {
    root.count += s.count;
    let node = root;
    for (const name of s.frames.slice(0, MAX_ROWS - 1)) {
      let child = node.children.get(name);
      if (!child) {
        child = { name, count: 0, children: new Map() };
        node.children.set(name, child);
      }
      child.count += s.count;
      node = child;
    }
  }
  return root;
}

/** A warm colour that is the same for a name in every graph. */
function colour(name: string): string {
  let h = 2166136261;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 16777619);
  const u = (h >>> 0) / 2 ** 32;
  return `hsl(${Math.round(8 + u * 42)},${Math.round(70 + u * 20)}%,${Math.round(58 + ((h >>> 8) & 15))}%)`;
}

function depthOf(n: Node): number {
  let d = 0;
  for (const c of n.children.values()) d = Math.max(d, depthOf(c));
  return d + 1;
}

export function flameSvg(stacks: ProfileStack[], label: string): string {
  const root = tree(stacks);
  if (!root.count) return "";
  const rows = depthOf(root);
  const height = rows * ROW;
  const boxes: string[] = [];
  const draw = (n: Node, x: number, depth: number) => {
    const w = (n.count / root.count) * WIDTH;
    if (w < MIN_WIDTH) return;
    const y = height - (depth + 1) * ROW;
    const pct = ((100 * n.count) / root.count).toFixed(1);
    const tip = `${n.name}: ${n.count} samples, ${pct}%`;
    const fit = Math.floor((w - 6) / CHAR_PX);
    const text = fit >= 3 ? (n.name.length <= fit ? n.name : `${n.name.slice(0, fit - 1)}…`) : "";
    boxes.push(
      `<g><title>${esc(tip)}</title><rect x="${x.toFixed(1)}" y="${y}" width="${w.toFixed(1)}" height="${ROW - 1}" fill="${colour(n.name)}"/>${
        text ? `<text x="${(x + 3).toFixed(1)}" y="${y + ROW - 5}">${esc(text)}</text>` : ""
      }</g>`,
    );
    let cx = x;
    for (const c of [...n.children.values()].sort((a, b) => (a.name < b.name ? -1 : 1))) {
      draw(c, cx, depth + 1);
      cx += (c.count / root.count) * WIDTH;
    }
  };
  draw(root, 0, 0);
  return `<svg class="flame" viewBox="0 0 ${WIDTH} ${height}" role="img" aria-label="${esc(label)}">${boxes.join("")}</svg>`;
}
