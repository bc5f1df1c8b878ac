// The recent-requests ring: the last SLOTS requests (the seed's 64), each in a
// fixed 96-byte record, rendered as JSON by /api/recent.json.
import { Writer } from "../lib/writer";

const SLOTS: u32 = 64;
const RECORD: usize = 96;
const PATH_CAP: usize = 40;
// record layout: u64 at_ms, u32 bytes, u16 status, u16 conn, u8 method, u8 path_len, path[PATH_CAP]
const ring = memory.data(<i32>(SLOTS * <u32>RECORD), 8);
let next: u32 = 0;
let filled: u32 = 0;

export const METHOD_GET: u8 = 0;
export const METHOD_HEAD: u8 = 1;
export const METHOD_OTHER: u8 = 2;

/** Records a request; the path is cut to PATH_CAP bytes with anything JSON-unsafe as '?'. */
export function record(atMs: u64, method: u8, path: usize, pathLen: usize, status: u16, bytes: u32, conn: i32): void {
  const r = ring + <usize>(next % SLOTS) * RECORD;
  next++;
  if (filled < SLOTS) filled++;
  const n = min(pathLen, PATH_CAP);
  store<u64>(r, atMs);
  store<u32>(r, bytes, 8);
  store<u16>(r, status, 12);
  store<u16>(r, <u16>conn, 14);
  store<u8>(r, method, 16);
  store<u8>(r, <u8>n, 17);
  for (let i: usize = 0; i < n; i++) {
    const c = load<u8>(path + i);
    store<u8>(r + 18 + i, c < 0x20 || c > 0x7e || c == 0x22 || c == 0x5c ? 0x3f : c);
  }
}

/** The ring as a JSON array, oldest first. */
export function render(w: Writer): void {
  w.byte(0x5b);
  for (let k: u32 = 0; k < filled; k++) {
    const r = ring + <usize>((next - filled + k) % SLOTS) * RECORD;
    if (k > 0) w.byte(0x2c);
    w.str('{"t_ms":');
    w.dec(load<u64>(r));
    w.str(',"conn":');
    w.dec(load<u16>(r, 14));
    const m = load<u8>(r, 16);
    w.str(m == METHOD_GET ? ',"method":"GET"' : m == METHOD_HEAD ? ',"method":"HEAD"' : ',"method":"other"');
    w.str(',"status":');
    w.dec(load<u16>(r, 12));
    w.str(',"bytes":');
    w.dec(load<u32>(r, 8));
    w.str(',"path":"');
    w.bytes(r + 18, <usize>load<u8>(r, 17));
    w.str('"}');
  }
  w.byte(0x5d);
}
