// The baked assets (kernel/assets), looked up by URL path. Their bytes stay in the
// image; responses point the send stream straight at their physical address.
import * as faults from "../faults";
import { bytesEqual } from "../lib/writer";
import { assetAddr, assetCount, assetField, assetLen } from "../platform";

const FIELD_CAP: usize = 128;
const ETAG_HEX_LEN: usize = 16; // kernel/bake-assets.ts

export class Asset {
  path: usize = 0;
  pathLen: usize = 0;
  type: usize = 0;
  typeLen: usize = 0;
  etag: usize = 0;
  etagLen: usize = 0;
  addr: u64 = 0;
  len: u32 = 0;
}

let table: StaticArray<Asset> = new StaticArray<Asset>(0);

function field(i: u32, which: u32, out: usize): usize {
  return min(assetField(i, which, out, FIELD_CAP), FIELD_CAP);
}

export function init(): void {
  const n = assetCount();
  table = new StaticArray<Asset>(<i32>n);
  for (let i: u32 = 0; i < n; i++) {
    const a = new Asset();
    a.path = heap.alloc(FIELD_CAP * 3);
    a.type = a.path + FIELD_CAP;
    a.etag = a.type + FIELD_CAP;
    a.pathLen = field(i, 0, a.path);
    a.typeLen = field(i, 1, a.type);
    a.etagLen = field(i, 2, a.etag);
    a.addr = assetAddr(i);
    a.len = assetLen(i);
    unchecked((table[<i32>i] = a));
  }
}

/**
 * Fault injection (inm-overread): the seed's asset_if_none_match(). The scan limit is
 * len - nlen - ETAG_HEX_LEN - 1; for a value as short as one quoted tag it is negative,
 * and as an unsigned bound it lets the loop read far past the request buffer.
 */
function noneMatchOverread(a: Asset, value: usize, len: usize): bool {
  const nlen: usize = 2; // the quotes
  const limit = len - nlen - ETAG_HEX_LEN - 1;
  for (let i: usize = 0; i < limit; i += ETAG_HEX_LEN) {
    if (memory.compare(value + i, a.etag + 1, ETAG_HEX_LEN) == 0) return true;
  }
  return false;
}

export function count(): i32 {
  return table.length;
}

export function find(path: usize, len: usize): Asset | null {
  for (let i = 0; i < table.length; i++) {
    const a = unchecked(table[i]);
    if (a.pathLen == len && memory.compare(a.path, path, len) == 0) return a;
  }
  return null;
}

/** Whether an If-None-Match value (a list of entity tags, or *) matches `a` (weak comparison). */
export function noneMatch(a: Asset, value: usize, len: usize): bool {
  if (isDefined(FAULT_INM_OVERREAD)) {
    if (faults.armed()) return noneMatchOverread(a, value, len);
  }
  let i: usize = 0;
  while (i < len) {
    while (i < len && (load<u8>(value + i) == 0x20 || load<u8>(value + i) == 0x2c)) i++;
    let start = i;
    while (i < len && load<u8>(value + i) != 0x2c) i++;
    let end = i;
    while (end > start && load<u8>(value + end - 1) == 0x20) end--;
    if (end - start == 1 && load<u8>(value + start) == 0x2a) return true; // *
    if (end - start > 2 && bytesEqual(value + start, 2, "W/", false)) start += 2;
    if (end - start == a.etagLen && memory.compare(value + start, a.etag, a.etagLen) == 0) return true;
  }
  return false;
}

