// The kernel boots under real QEMU (TCG), prints its banner and `ready`, idles on
// hlt, and every fault path prints the seed's dump format naming the function.
import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { promisify } from "node:util";
import { afterEach, describe, expect, inject, it } from "vitest";
import { type Guest, readElfInfo, symbolize, type Vm } from "../../soak/index.ts";
import { bootTestGuest } from "../../test/http-guest.ts";

const run = promisify(execFile);
const elf = inject("kernelElf");
const HEX16 = "0x[0-9a-f]{16}";
const REGISTER_LINES = [
  new RegExp(`^RIP=(${HEX16}) CS=${HEX16}$`),
  new RegExp(`^RFL=${HEX16} RSP=${HEX16} SS=${HEX16}$`),
];

let guest: Guest | undefined;
let vm: Vm | undefined;
afterEach(async () => {
  await guest?.stop();
  guest = undefined;
  vm = undefined;
});

async function bootGuest(append?: string): Promise<Vm> {
  guest = await bootTestGuest(elf, { append });
  return guest.vm;
}

/** Boots with `append`, waits for a line matching `headline` and returns it with the two lines after it. */
async function dumpFor(append: string, headline: RegExp): Promise<string[]> {
  vm = await bootGuest(append);
  const first = await vm.serial.waitFor(headline, 20_000);
  await vm.serial.waitFor(/^RFL=/, 5_000);
  const lines = vm.serial.lines.map((l) => l.text);
  const at = lines.indexOf(first.text);
  return lines.slice(at, at + 3);
}

function ripOf(lines: string[]): bigint {
  const m = REGISTER_LINES[0].exec(lines[1]);
  expect(m, `register line: ${lines[1]}`).not.toBeNull();
  return BigInt(m?.[1] ?? 0);
}

function expectRegisterLines(lines: string[]): void {
  expect(lines[1]).toMatch(REGISTER_LINES[0]);
  expect(lines[2]).toMatch(REGISTER_LINES[1]);
}

describe("kernel boot", () => {
  it("prints a banner with its ELF build-id, then ready, then heartbeats", async () => {
    const { buildId } = await readElfInfo(elf);
    expect(buildId).toMatch(/^[0-9a-f]{40}$/);
    vm = await bootGuest("heartbeat_ms=200");
    await vm.serial.waitFor(/^ready$/, 20_000);
    await vm.serial.waitFor(/^heartbeat uptime_ms=\d+ requests=0 /, 10_000);
    const text = vm.serial.text();
    expect(text).toContain(`unikernel-soak kernel 0.1.0 build-id=${buildId}`);
    expect(text).toMatch(/^boot: ram=256MiB tsc=\d+MHz clock=(pit|cpuid) /m);
    // QEMU adds the network device's virtio_mmio.device= after ours
    expect(text).toMatch(/^boot: cmdline "heartbeat_ms=200[ "]/m);
  });

  it("idles on hlt: QEMU uses under 5% of a core while the guest waits", async () => {
    vm = await bootGuest();
    await vm.serial.waitFor(/^ready$/, 20_000);
    const cpuTicks = async () => {
      const fields = (await readFile(`/proc/${vm?.pid}/stat`, "utf8")).split(") ")[1].split(" ");
      return Number(fields[11]) + Number(fields[12]); // utime + stime, in clock ticks
    };
    const { stdout } = await run("getconf", ["CLK_TCK"]);
    const before = await cpuTicks();
    const started = performance.now();
    await new Promise((r) => setTimeout(r, 3000));
    const seconds = (performance.now() - started) / 1000;
    const share = ((await cpuTicks()) - before) / Number(stdout) / seconds;
    expect(share).toBeLessThan(0.05);
  });

  it("says so when the fault= option is unknown, and carries on", async () => {
    vm = await bootGuest("fault=nonsense");
    await vm.serial.waitFor(/^ready$/, 20_000);
    expect(vm.serial.text()).toContain(
      "fault: unknown fault=nonsense ignored (known: pf, trap, stack, panic, hang, hot)",
    );
  });
});

describe("fault dumps", () => {
  it("fault=pf prints exactly the seed's three lines, and RIP names the AssemblyScript function", async () => {
    const lines = await dumpFor("fault=pf", /^PF at /);
    expect(lines[0]).toBe("PF at 0xffffffffffffff88 err=0x0000000000000000");
    expectRegisterLines(lines);
    const { stdout } = await run("addr2line", ["-f", "-e", elf, `0x${ripOf(lines).toString(16)}`]);
    expect(stdout.split("\n")[0]).toBe("w2c_kernel_kernel0x2Fsrc0x2Ffaults0x2FfaultReadKernelHalf");
    // Halted for good: nothing after the dump.
    await new Promise((r) => setTimeout(r, 500));
    expect(vm?.serial.lines.at(-1)?.text).toBe(lines[2]);
  });

  it("fault=trap prints a TRAP line with the register lines, inside the function that read out of bounds", async () => {
    const lines = await dumpFor("fault=trap", /^TRAP: /);
    expect(lines[0]).toBe("TRAP: oob");
    expectRegisterLines(lines);
    const frames = await symbolize(elf, ripOf(lines));
    expect(frames.map((f) => f.name)).toContain("kernel/src/faults/faultOutOfBounds");
  });

  it("fault=stack overflows into the guard page and still prints a page-fault dump", async () => {
    const lines = await dumpFor("fault=stack", /^PF at /);
    const { stdout } = await run("nm", [elf]);
    const guard = BigInt(`0x${/^([0-9a-f]+) \w __stack_guard$/m.exec(stdout)?.[1]}`);
    const m = /^PF at (0x[0-9a-f]{16}) err=0x0000000000000002$/.exec(lines[0]); // write, not present
    expect(m, lines[0]).not.toBeNull();
    const cr2 = BigInt(m?.[1] ?? 0);
    expect(cr2 >= guard && cr2 < guard + 4096n).toBe(true);
    expectRegisterLines(lines);
    const frames = await symbolize(elf, ripOf(lines));
    expect(frames.map((f) => f.name)).toContain("kernel/src/faults/faultRecurse");
  });

  it("fault=panic prints the AssemblyScript error with its source position", async () => {
    const lines = await dumpFor("fault=panic", /^PANIC: /);
    expect(lines[0]).toMatch(/^PANIC: panic requested on the command line at kernel\/src\/faults\.ts:\d+:\d+$/);
    expectRegisterLines(lines);
    const frames = await symbolize(elf, ripOf(lines));
    expect(frames.map((f) => f.name)).toContain("kernel/src/faults/faultPanic");
  });
});
