// The frame-pointer chain of a stopped vCPU: RIP, then the return address of each frame
// (x86-64 with frame pointers: [rbp] is the caller's rbp, [rbp+8] the return address).
// The guest's stack is guest input: the walk is bounded in depth and span, and stops at the
// first link that does not climb the stack.

/** frames kept below RIP */
export const MAX_DEPTH = 48;
/** how far above RSP a frame may lie: past it the chain has left the stack */
const MAX_SPAN = 1024n * 1024n;
/** the stack is read in blocks this size: one read usually covers a whole chain */
const BLOCK = 2048;

export interface Registers {
  rip: bigint;
  rsp: bigint;
  rbp: bigint;
}

/** reads guest memory; undefined where it is not mapped */
export type ReadMemory = (address: bigint, length: number) => Promise<Buffer | undefined>;

/** RIP first, then the return addresses, innermost first. */
export async function walkFrames(regs: Registers, read: ReadMemory): Promise<bigint[]> {
  const stack = [regs.rip];
  const blocks = new Map<bigint, Buffer | undefined>();
  const word = async (address: bigint): Promise<bigint | undefined> => {
    const base = address - (address % BigInt(BLOCK));
    if (!blocks.has(base)) blocks.set(base, await read(base, BLOCK));
    const block = blocks.get(base);
    const at = Number(address - base);
    return block && at + 8 <= block.length ? block.readBigUInt64LE(at) : undefined;
  };
  let fp = regs.rbp;
  let floor = regs.rsp;
  while (stack.length <= MAX_DEPTH) {
    if (fp === 0n || fp % 8n !== 0n || fp < floor || fp - regs.rsp > MAX_SPAN) break;
    const saved = await word(fp);
    const ret = await word(fp + 8n);
    if (saved === undefined || ret === undefined || ret === 0n) break;
    stack.push(ret);
    floor = fp + 16n;
    fp = saved;
  }
  return stack;
}
