// The Internet checksum (RFC 1071). Words are summed as they load from memory
// (little-endian); the one's-complement sum is byte-order independent, so storing
// the folded result back with store<u16> puts the bytes in network order.

/** Adds the `n` bytes at `p` to `acc`. */
export function sum(p: usize, n: usize, acc: u64): u64 {
  let i: usize = 0;
  for (; i + 8 <= n; i += 8) {
    const w = load<u64>(p + i);
    acc += (w & 0xffffffff) + (w >> 32);
  }
  for (; i + 2 <= n; i += 2) acc += <u64>load<u16>(p + i);
  if (i < n) acc += <u64>load<u8>(p + i);
  return acc;
}

/** Folds a sum to 16 bits and complements it: the value to store in a header. */
export function finish(acc: u64): u16 {
  while (acc >> 16) acc = (acc & 0xffff) + (acc >> 16);
  return <u16>~acc;
}
