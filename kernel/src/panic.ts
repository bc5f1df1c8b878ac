// AssemblyScript's abort() (an assertion, an uncaught error, the runtime out of memory),
// chosen with asc --use abort=kernel/src/panic/abort (kernel/build.ts). It formats
// "<message> at <file>:<line>:<column>" and hands it to the platform's panic import,
// which prints the dump with RIP in the function that called abort. No module
// globals: asc compiles abort before this file's globals are declared.
import { panic } from "./platform";

/** Writes at most `max` characters of `s` at `at`, ASCII only (others become '?'); returns the new end. */
function str(at: usize, s: string, max: i32): usize {
  for (let i = 0; i < min(s.length, max); i++) {
    const c = s.charCodeAt(i);
    store<u8>(at++, c >= 0x20 && c < 0x7f ? c : 0x3f);
  }
  return at;
}

function dec(at: usize, v: u32): usize {
  if (v >= 10) at = dec(at, v / 10);
  store<u8>(at, 0x30 + (v % 10));
  return at + 1;
}

export function abort(message: string | null, fileName: string | null, lineNumber: u32, columnNumber: u32): void {
  const text = memory.data(320); // static: a panic must not allocate
  // Each part capped (159 + 4 + 127 + 1 + 10 + 1 + 10 bytes at most), so a long message
  // still leaves room for where it came from.
  let at = str(text, message != null && message.length > 0 ? message! : "abort", 159);
  at = str(at, " at ", 4);
  at = str(at, fileName != null && fileName.length > 0 ? fileName! : "?", 127);
  at = str(at, ":", 1);
  at = dec(at, lineNumber);
  at = str(at, ":", 1);
  at = dec(at, columnNumber);
  panic(text, at - text);
  unreachable(); // panic never returns; this also keeps the call from becoming a jump
}
