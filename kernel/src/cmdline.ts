// The kernel command line: space-separated `key=value` (or bare `key`) words.
import { bootCmdline } from "./platform";

const CAP: usize = 1024;
const text = memory.data(<i32>CAP);
let length: usize = 0;

export function read(): void {
  length = min(bootCmdline(text, CAP), CAP);
}

export function raw(): usize {
  return text;
}

export function rawLength(): usize {
  return length;
}

/** The value of `key=value`, "" for a bare `key`, null when absent. */
export function value(key: string): string | null {
  return valueAt(key, 0);
}

/** The value of the `nth` occurrence (from 0) of `key`, as value() does. */
export function valueAt(key: string, nth: i32): string | null {
  let i: usize = 0;
  while (i < length) {
    while (i < length && load<u8>(text + i) == 0x20) i++;
    const start = i;
    while (i < length && load<u8>(text + i) != 0x20) i++;
    const word = String.UTF8.decodeUnsafe(text + start, i - start);
    const eq = word.indexOf("=");
    if ((eq < 0 ? word : word.substring(0, eq)) == key && nth-- == 0) return eq < 0 ? "" : word.substring(eq + 1);
  }
  return null;
}

/** Parses a hex ("0x...") or decimal number; -1 when it is neither. */
export function parseNumber(s: string): i64 {
  const hex = s.startsWith("0x");
  if (s.length == 0 || (hex && s.length == 2)) return -1;
  let n: i64 = 0;
  for (let i = hex ? 2 : 0; i < s.length; i++) {
    const c = s.charCodeAt(i) | 0x20;
    const d = c >= 0x30 && c <= 0x39 ? c - 0x30 : hex && c >= 0x61 && c <= 0x66 ? c - 0x57 : -1;
    if (d < 0) return -1;
    n = n * (hex ? 16 : 10) + d;
  }
  return n;
}

/** The GSI QEMU gave the virtio-mmio transport at `base` (virtio_mmio.device=SIZE@BASE:GSI), or -1. */
export function virtioMmioGsi(base: u64): i32 {
  for (let k = 0; k < 64; k++) {
    const v = valueAt("virtio_mmio.device", k);
    if (v == null) break;
    const at = v.indexOf("@");
    const colon = v.indexOf(":", at);
    if (at < 0 || colon < 0) continue;
    if (parseNumber(v.substring(at + 1, colon)) == <i64>base) return <i32>parseNumber(v.substring(colon + 1));
  }
  return -1;
}

/** An unsigned number option, or `fallback` when absent or not a number. */
export function number(key: string, fallback: u64): u64 {
  const v = value(key);
  if (v == null) return fallback;
  const n = parseNumber(v);
  return n < 0 ? fallback : <u64>n;
}
