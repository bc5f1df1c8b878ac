// The profiler's parts that need no guest: the frame walk over hostile stacks, QMP's text,
// addr2line's output, helper folding, the folded format, the flame graph's escaping, the
// --profile flag, profile.json's checked reader and profile-diff's ranking.
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { parseCli } from "../cli-options.ts";
import { PROFILE_AUTO_HZ } from "../options.ts";
import { shareMoves } from "../profile/diff.ts";
import { profileDiffCommand } from "../profile/diff-command.ts";
import { flameSvg } from "../profile/flame-svg.ts";
import { MAX_DEPTH, walkFrames } from "../profile/frame-walk.ts";
import { foldedText, topFunctions } from "../profile/profile.ts";
import { parseProfile } from "../profile/profile-file.ts";
import { profileRate } from "../profile/rate.ts";
import { bytesOfDump, registersOf } from "../profile/samplers.ts";
import { type NamedFrame, parseAddr2line, stackNames } from "../profile/symbols.ts";
import { tempDir } from "./cli-run.ts";

/** guest memory as a map of 8-byte words */
const memoryOf = (words: Record<string, bigint>) => async (address: bigint, length: number) => {
  const b = Buffer.alloc(length);
  for (let i = 0; i < length; i += 8) b.writeBigUInt64LE(words[(address + BigInt(i)).toString(16)] ?? 0n, i);
  return b;
};

describe("the frame walk", () => {
  it("follows rbp up the stack: RIP, then each return address", async () => {
    const read = memoryOf({ "8000": 0x8100n, "8008": 0x1111n, "8100": 0n, "8108": 0x2222n });
    expect(await walkFrames({ rip: 0x10n, rsp: 0x7ff0n, rbp: 0x8000n }, read)).toEqual([0x10n, 0x1111n, 0x2222n]);
  });

  it("stops at a chain that loops, goes down the stack, leaves it or is unreadable", async () => {
    const loop = memoryOf({ "8000": 0x8000n, "8008": 0x1111n });
    expect(await walkFrames({ rip: 1n, rsp: 0x7000n, rbp: 0x8000n }, loop)).toEqual([1n, 0x1111n]);
    const down = memoryOf({ "8000": 0x7000n, "8008": 0x1111n });
    expect(await walkFrames({ rip: 1n, rsp: 0x7000n, rbp: 0x8000n }, down)).toEqual([1n, 0x1111n]);
    const far = memoryOf({});
    expect(await walkFrames({ rip: 1n, rsp: 0x1000n, rbp: 0x1000n + (1n << 40n) }, far)).toEqual([1n]);
    expect(await walkFrames({ rip: 1n, rsp: 0x7000n, rbp: 0x8001n }, far)).toEqual([1n]);
    expect(await walkFrames({ rip: 1n, rsp: 0x7000n, rbp: 0x8000n }, async () => undefined)).toEqual([1n]);
  });

  it("is bounded in depth", async () => {
    const words: Record<string, bigint> = {};
    for (let i = 0n; i < 500n; i++) {
      words[(0x8000n + i * 16n).toString(16)] = 0x8000n + (i + 1n) * 16n;
      words[(0x8008n + i * 16n).toString(16)] = 0x5000n + i;
    }
    const stack = await walkFrames({ rip: 1n, rsp: 0x8000n, rbp: 0x8000n }, memoryOf(words));
    expect(stack).toHaveLength(MAX_DEPTH + 1);
  });
});

describe("QMP's text", () => {
  it("gives RIP, RSP and RBP of `info registers` and the bytes of `x /Ngx`", () => {
    const regs =
      "RAX=0000000000000001 RBX=0000000000000002\r\nRSI=0 RDI=0 RBP=0000000000008000 RSP=0000000000007ff0\r\nRIP=00000000001016cc RFL=00000246";
    expect(registersOf(regs)).toEqual({ rip: 0x1016ccn, rsp: 0x7ff0n, rbp: 0x8000n });
    expect(registersOf("EIP=0000fff0 (real mode)")).toBeUndefined();
    const dump = "0000000000008000: 0x0000000000008100 0x0000000000001111\r\n";
    expect(bytesOfDump(dump, 16)?.readBigUInt64LE(8)).toBe(0x1111n);
    expect(bytesOfDump("Cannot access memory", 16)).toBeUndefined();
  });
});

describe("symbols", () => {
  it("reads addr2line -a -f -i, an inline chain per address", () => {
    const out =
      "0x0000000000001000\ni32_load_default32\n./gen/kernel.c:100\nw2c_kernel_f\n./gen/kernel.c:200\n0x0000000000002000\n??\n??:0\n";
    expect(parseAddr2line(out)).toEqual([
      [
        { symbol: "i32_load_default32", file: "gen/kernel.c", line: 100 },
        { symbol: "w2c_kernel_f", file: "gen/kernel.c", line: 200 },
      ],
      [{ symbol: "??", file: "??", line: 0 }],
    ]);
  });

  it("names a stack root first, folds runtime helpers into their caller, ends it below an unknown return address", () => {
    const f = (name: string, helper = false): NamedFrame => ({ name, file: "x.c", line: 1, wasm: !helper, helper });
    const frames = new Map<bigint, NamedFrame[]>([
      [0x10n, [f("i32_load", true), f("kernel/src/a/leaf")]],
      [0x1ffn, [f("kernel/src/a/inlined"), f("kernel/src/a/caller")]],
    ]);
    // RIP 0x10, return addresses 0x200 (looked up at 0x1ff) and 0x300 (unknown: no chain past it)
    expect(stackNames([0x10n, 0x200n, 0x300n, 0x200n], frames)).toEqual([
      "kernel/src/a/caller",
      "kernel/src/a/inlined",
      "kernel/src/a/leaf",
    ]);
    expect(stackNames([0x99n, 0x200n], frames)).toEqual(["kernel/src/a/caller", "kernel/src/a/inlined", "0x99"]);
    expect(stackNames([0x99n, 0x200n], new Map())).toEqual(["0x200", "0x99"]);
    // memcpy called from memory.copy's helper, inlined into a wasm function: all of it is that function's
    const copy = new Map<bigint, NamedFrame[]>([
      [0x50n, [{ name: "memcpy", file: "platform/lib.c", line: 3, wasm: false }]],
      [0x5ffn, [f("memory_copy", true), f("kernel/src/a/copier")]],
    ]);
    expect(stackNames([0x50n, 0x600n], copy)).toEqual(["kernel/src/a/copier"]);
  });
});

describe("the profile's views", () => {
  const stacks = [
    { frames: ["main", "serve", "hot"], count: 6 },
    { frames: ["main", "idle"], count: 3 },
    { frames: ["main", "serve"], count: 1 },
  ];

  it("counts self and total once a stack", () => {
    expect(topFunctions([...stacks, { frames: ["r", "r"], count: 2 }], 3)).toEqual([
      { name: "hot", self: 6, total: 6 },
      { name: "idle", self: 3, total: 3 },
      { name: "r", self: 2, total: 2 },
    ]);
  });

  it("writes the folded format with no separator or line break from a name", () => {
    expect(foldedText([{ frames: ["a;b", "c\nd\u001b"], count: 2 }, ...stacks.slice(0, 1)])).toBe(
      "a:b;c?d? 2\nmain;serve;hot 6\n",
    );
  });

  it("draws every box of a flame graph with its name escaped", () => {
    const svg = flameSvg([{ frames: ['<script>alert("x")</script>', "&amp;"], count: 5 }, ...stacks], "label <b>");
    expect(svg).not.toMatch(/<script|<b>/);
    expect(svg).toContain("&lt;script&gt;");
    expect(svg.match(/<rect /g)).toHaveLength(7); // all, main, serve, hot, idle, <script>, &amp;
    expect(flameSvg([], "none")).toBe("");
  });

  it("ranks the functions whose share moved most", () => {
    const b = { samples: 10, stacks: [{ frames: ["main", "idle"], count: 9 }, ...stacks.slice(2)] };
    const moves = shareMoves({ samples: 10, stacks }, b, 2);
    expect(moves.map((m) => [m.name, m.selfA, m.selfB])).toEqual([
      ["hot", 60, 0],
      ["idle", 30, 90],
    ]);
  });
});

describe("profile.json's reader", () => {
  const good = {
    schemaVersion: 1,
    hz: 99,
    sampler: "gdb",
    phases: { steady: { samples: 2, stacks: [{ frames: ["a"], count: 2 }] } },
    top: [{ name: "a", self: 2, total: 2 }],
    notes: [],
  };

  it("reads what the engine writes, and only the fields it knows", () => {
    const p = parseProfile(JSON.stringify({ ...good, extra: "x".repeat(10) }), "p.json");
    expect(p).toEqual(good);
  });

  it.each([
    ["not JSON", "{", "not JSON"],
    ["another schema", JSON.stringify({ ...good, schemaVersion: 2 }), "schemaVersion is not 1"],
    [
      "a sum that lies",
      JSON.stringify({ ...good, phases: { steady: { samples: 3, stacks: good.phases.steady.stacks } } }),
      "is not its stacks' sum",
    ],
    [
      "a frame that is not a name",
      JSON.stringify({ ...good, phases: { steady: { samples: 2, stacks: [{ frames: [1], count: 2 }] } } }),
      "frames[0] is not a name",
    ],
    [
      "a negative count",
      JSON.stringify({ ...good, top: [{ name: "a", self: -1, total: 2 }] }),
      "top[0].self is not a count",
    ],
    ["a giant name", JSON.stringify({ ...good, notes: ["x".repeat(5000)] }), "notes[0] is not a name"],
  ])("refuses %s", (_, text, message) => {
    expect(() => parseProfile(text, "p.json")).toThrow(message);
  });
});

describe("--profile", () => {
  const hz = (...args: string[]) => {
    const o = parseCli(args);
    return o === "help" ? undefined : { hz: o.profileHz, append: o.append };
  };

  it("is auto by default, on (99 Hz) alone, a rate or off when given one", () => {
    expect(hz()?.hz).toBe("auto");
    expect(hz("--profile", "auto")?.hz).toBe("auto");
    expect(hz("--profile")).toEqual({ hz: 99, append: "" });
    expect(hz("--profile", "--append", "fault=hot")).toEqual({ hz: 99, append: "fault=hot" });
    expect(hz("--profile", "250")?.hz).toBe(250);
    expect(hz("--profile=off")?.hz).toBe(0);
    expect(hz("--profile", "on")?.hz).toBe(99);
    expect(() => hz("--profile", "5000")).toThrow("--profile");
    expect(() => hz("--profile", "fast")).toThrow("--profile");
  });
});

describe("the profile's rate", () => {
  it("samples at 19 Hz on the tap path by default, and over user networking only when asked, saying why", () => {
    expect(profileRate("auto", "tap")).toEqual({ hz: PROFILE_AUTO_HZ });
    expect(profileRate("auto", "user")).toMatchObject({
      hz: 0,
      note: expect.stringMatching(/^the profile is off: .*slirp/),
    });
    expect(profileRate(99, "user")).toMatchObject({
      hz: 99,
      note: expect.stringMatching(/as asked.*may be the profiler's/),
    });
    expect(profileRate(99, "tap")).toEqual({ hz: 99 });
    expect(profileRate(0, "user")).toEqual({ hz: 0 });
  });
});

describe("profile-diff", () => {
  const folder = async (stacks: { frames: string[]; count: number }[]) => {
    const dir = await tempDir("soak-profile-diff-");
    const samples = stacks.reduce((n, s) => n + s.count, 0);
    const p = { schemaVersion: 1, hz: 99, sampler: "gdb", phases: { steady: { samples, stacks } }, top: [], notes: [] };
    await writeFile(join(dir, "profile.json"), JSON.stringify(p));
    return dir;
  };

  it("prints the functions whose share moved most, guest names made harmless; refuses a broken file", async () => {
    const a = await folder([
      { frames: ["main", "\u001b]0;owned\u0007hot"], count: 8 },
      { frames: ["main", "idle"], count: 2 },
    ]);
    const b = await folder([
      { frames: ["main", "\u001b]0;owned\u0007hot"], count: 2 },
      { frames: ["main", "idle"], count: 8 },
    ]);
    const printed: string[] = [];
    const log = vi.spyOn(console, "log").mockImplementation((line: string) => printed.push(line));
    try {
      expect(await profileDiffCommand([a, b, "--top", "2"])).toBe(0);
    } finally {
      log.mockRestore();
    }
    expect(printed.join("\n")).not.toContain("\u001b");
    const rows = printed.slice(2);
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatch(/80\.0%\s+20\.0%\s+-60\.0 .*\\e\]0;owned\\x07hot$/);
    expect(rows[1]).toMatch(/20\.0%\s+80\.0%\s+\+60\.0 .*\| idle$/);
    await writeFile(join(b, "profile.json"), "{}");
    // a UsageError: the CLI's exit 2
    await expect(profileDiffCommand([a, b])).rejects.toThrow("schemaVersion is not 1");
  });
});
