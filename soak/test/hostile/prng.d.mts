export function prng(seed: number): () => number;
export function randomBytes(random: () => number, n: number): Buffer;
