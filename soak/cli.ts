// unikernel-soak: the command line. Until the load driver lands, it builds (or
// takes) the kernel, boots it, waits for `ready`, reports the boot time and stops.
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { buildKernel } from "../kernel/build.ts";
import { readElfInfo } from "./elf.ts";
import { Vm } from "./vm/qemu.ts";

const USAGE = `usage: unikernel-soak [--kernel PATH] [--append "..."]

  --kernel PATH   a PVH x86-64 ELF to boot (default: build the bundled TS kernel)
  --append TEXT   the kernel command line
  -h, --help      this text`;

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      kernel: { type: "string" },
      append: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const kernel = values.kernel ? resolve(values.kernel) : (await buildKernel()).elf;
  const info = await readElfInfo(kernel);
  if (!info.pvhEntry) throw new Error(`${kernel} has no PVH entry note; QEMU cannot boot it with -kernel`);
  const dir = await mkdtemp(join(tmpdir(), "unikernel-soak-"));
  const started = performance.now();
  const vm = await Vm.start({ kernel, append: values.append, accel: "tcg", dir });
  vm.serial.on("line", (l) => console.log(`guest | ${l.text}`));
  try {
    await Promise.race([
      vm.serial.waitFor(/^ready/, 30_000),
      vm.exited.then((e) => Promise.reject(new Error(`QEMU exited before ready (code ${e.code})`))),
    ]);
    console.log(`booted to ready in ${(performance.now() - started).toFixed(0)} ms; serial log: ${vm.serial.path}`);
  } finally {
    await vm.stop();
  }
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(`unikernel-soak: ${(err as Error).message}`);
    process.exit(2);
  },
);
