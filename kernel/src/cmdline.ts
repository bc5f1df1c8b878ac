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
  let i: usize = 0;
  while (i < length) {
    while (i < length && load<u8>(text + i) == 0x20) i++;
    const start = i;
    while (i < length && load<u8>(text + i) != 0x20) i++;
    const word = String.UTF8.decodeUnsafe(text + start, i - start);
    const eq = word.indexOf("=");
    if ((eq < 0 ? word : word.substring(0, eq)) == key) return eq < 0 ? "" : word.substring(eq + 1);
  }
  return null;
}

/** An unsigned number option, or `fallback` when absent or not a number. */
export function number(key: string, fallback: u64): u64 {
  const v = value(key);
  if (v == null || v.length == 0) return fallback;
  let n: u64 = 0;
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return fallback;
    n = n * 10 + <u64>(c - 0x30);
  }
  return n;
}
