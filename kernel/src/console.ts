// Console lines built in a fixed buffer: no allocation, so printing never grows memory.
import { consoleWrite } from "./platform";

const CAP: i32 = 1024;
const buf = memory.data(CAP);
let len: i32 = 0;

function putByte(b: u32): void {
  if (len < CAP - 1) {
    store<u8>(buf + <usize>len, <u8>b);
    len++;
  }
}

/** Appends an ASCII string (other characters become '?'). */
export function str(s: string): void {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    putByte(c >= 0x20 && c < 0x7f ? c : 0x3f);
  }
}

/** Appends raw bytes from linear memory. */
export function bytes(ptr: usize, n: usize): void {
  for (let i: usize = 0; i < n; i++) putByte(load<u8>(ptr + i));
}

export function dec(v: u64): void {
  if (v >= 10) dec(v / 10);
  putByte(<u32>(0x30 + v % 10));
}

/** Appends `digits` lowercase hex digits (no prefix). */
export function hex(v: u64, digits: i32): void {
  for (let i = digits - 1; i >= 0; i--) {
    const d = <u32>((v >> (<u64>i * 4)) & 0xf);
    putByte(d < 10 ? 0x30 + d : 0x57 + d);
  }
}

/** Ends the line: writes it with a newline and starts a new one. */
export function end(): void {
  store<u8>(buf + <usize>len, 0x0a);
  consoleWrite(buf, <usize>len + 1);
  len = 0;
}

/** A whole line at once. */
export function line(s: string): void {
  str(s);
  end();
}
