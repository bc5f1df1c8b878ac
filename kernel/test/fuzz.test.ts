// A bounded, deterministic fuzz of the HTTP/TCP input: mutated and oversized requests,
// requests abandoned half-way (FIN or reset), half-closed connections and pipelined
// mixtures. After every case: no crash line on serial, /health answers, and tcp_open
// is back to its idle value within SLOT_BACK_MS (the guest runs with short timeouts).
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { expectDefaultMixSoakPasses } from "../../test/default-mix.ts";
import {
  crashLines,
  getStats,
  type HttpGuest,
  httpGet,
  pollUntil,
  RawConnection,
  sleep,
  startHttpGuest,
  stopHttpGuest,
} from "../../test/http-guest.ts";

const elf = inject("kernelElf");
const SEED = 0x5eed_2026;
const CASES = 200;
const BUDGET_MS = 100_000;
const SLOT_BACK_MS = 6_000;
const APPEND = "tcp_idle_ms=2000 tcp_fin_wait_ms=2000 tcp_zero_window_ms=3000";

let guest: HttpGuest;
let idle = 0;
beforeAll(async () => {
  guest = await startHttpGuest(elf, { loadPorts: 2, append: APPEND });
  idle = (await getStats(guest.port)).tcp_open;
});
afterAll(async () => {
  await stopHttpGuest(guest);
});

/** mulberry32: a small seeded generator, so every run sends the same bytes. */
function generator(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  return {
    int,
    pick: <T>(xs: T[]) => xs[int(xs.length)],
    bytes: (n: number) => Buffer.from(Array.from({ length: n }, () => int(256))),
  };
}
type Rng = ReturnType<typeof generator>;

const VALID = [
  "GET /health HTTP/1.1\r\nHost: x\r\n\r\n",
  "HEAD /large.txt HTTP/1.1\r\nHost: x\r\n\r\n",
  "GET /api/stats.json HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
  'GET /style.css HTTP/1.1\r\nIf-None-Match: "abc"\r\nHost: x\r\n\r\n',
  "GET /health HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello",
  "POST /health HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc",
];

function mutate(rng: Rng, input: Buffer): Buffer {
  let b = Buffer.from(input);
  for (let k = 1 + rng.int(4); k > 0; k--) {
    const at = rng.int(b.length + 1);
    switch (rng.int(6)) {
      case 0: // flip a byte
        if (b.length > 0) b[Math.min(at, b.length - 1)] ^= 1 << rng.int(8);
        break;
      case 1: // insert random bytes
        b = Buffer.concat([b.subarray(0, at), rng.bytes(1 + rng.int(8)), b.subarray(at)]);
        break;
      case 2: // delete a run
        b = Buffer.concat([b.subarray(0, at), b.subarray(at + 1 + rng.int(8))]);
        break;
      case 3: // a line break where none belongs
        b = Buffer.concat([b.subarray(0, at), Buffer.from(rng.pick(["\r\n", "\n", "\r", "\r\n\r\n"])), b.subarray(at)]);
        break;
      case 4: // a long run of one byte
        b = Buffer.concat([
          b.subarray(0, at),
          Buffer.alloc(1 + rng.int(12_000), rng.pick([0x61, 0x20, 0x3a, 0x00])),
          b.subarray(at),
        ]);
        break;
      default: // a digit run where a length might be
        b = Buffer.concat([b.subarray(0, at), Buffer.from("9".repeat(1 + rng.int(12))), b.subarray(at)]);
    }
  }
  return b;
}

function oversized(rng: Rng): Buffer {
  const n = 9_000 + rng.int(300_000);
  return Buffer.from(
    rng.pick([
      `GET /health HTTP/1.1\r\nX-Big: ${"a".repeat(n)}\r\n\r\n`,
      `GET /${"b".repeat(n)} HTTP/1.1\r\n\r\n`,
      `POST /health HTTP/1.1\r\nContent-Length: ${n}\r\n\r\n${"c".repeat(n)}`,
      `GET /health HTTP/1.1\r\n${"X-A: 1\r\n".repeat(Math.ceil(n / 8))}\r\n`,
    ]),
  );
}

/** Writes `data` in 1 to 4 pieces, as the generator says. */
async function writeInPieces(rng: Rng, c: RawConnection, data: Buffer): Promise<void> {
  const pieces = 1 + rng.int(4);
  const size = Math.ceil(data.length / pieces);
  for (let at = 0; at < data.length; at += size) {
    c.socket.write(data.subarray(at, at + size));
    if (rng.int(2) === 0) await sleep(rng.int(30));
  }
}

/** One case; returns its name. The client always goes away at the end, by FIN or reset. */
async function runCase(rng: Rng): Promise<string> {
  const c = await RawConnection.open(guest.ports[rng.int(guest.ports.length)]);
  const settle = () =>
    c.until(() => c.closed || c.responses().length > 0, 3_000, "an answer or a close").catch(() => {});
  try {
    switch (rng.int(5)) {
      case 0: {
        await writeInPieces(rng, c, mutate(rng, Buffer.from(rng.pick(VALID))));
        await settle();
        c.socket.end();
        return "mutated";
      }
      case 1: {
        c.socket.write(oversized(rng));
        await settle();
        c.socket.end();
        return "oversized";
      }
      case 2: {
        const valid = Buffer.from(rng.pick(VALID));
        c.socket.write(valid.subarray(0, rng.int(valid.length)));
        await sleep(rng.int(50));
        if (rng.int(2) === 0) c.socket.resetAndDestroy();
        else c.socket.end();
        return "abandoned";
      }
      case 3: {
        const valid = Buffer.from(rng.pick(VALID));
        c.socket.end(valid.subarray(0, valid.length - rng.int(valid.length)));
        await c.waitForClose(5_000).catch(() => {});
        return "half-closed";
      }
      default: {
        const mix = [rng.pick(VALID), rng.pick(VALID), mutate(rng, Buffer.from(rng.pick(VALID))).toString("latin1")];
        await writeInPieces(rng, c, Buffer.from(mix.join(""), "latin1"));
        await settle();
        c.socket.end();
        return "pipelined";
      }
    }
  } finally {
    c.socket.setTimeout(2_000, () => c.destroy());
  }
}

describe("fuzzed HTTP/TCP input", () => {
  it(`${CASES} cases from seed ${SEED.toString(16)}: no crash, /health answers, every slot comes back`, {
    timeout: BUDGET_MS + 30_000,
  }, async () => {
    const rng = generator(SEED);
    const deadline = Date.now() + BUDGET_MS;
    const kinds: Record<string, number> = {};
    let done = 0;
    for (; done < CASES && Date.now() < deadline; done++) {
      const kind = await runCase(rng);
      kinds[kind] = (kinds[kind] ?? 0) + 1;
      const what = `case ${done} (${kind})`;
      expect(await crashLines(guest.vm), what).toEqual([]);
      expect((await httpGet(guest.port, "/health", {}, 5_000)).status, what).toBe(200);
      await pollUntil(
        () => getStats(guest.port),
        (s) => s.tcp_open === idle,
        SLOT_BACK_MS,
        `${what}: tcp_open back to ${idle}`,
      );
    }
    console.log(`fuzz: ${done} cases ${JSON.stringify(kinds)}`);
    expect(done).toBe(CASES);
  });

  it("then a default-mix soak on the same booted kernel passes, and its slots come back", { timeout: 180_000 }, () =>
    expectDefaultMixSoakPasses(guest),
  );
});
