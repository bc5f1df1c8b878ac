// npm run build:kernel [-- --fault NAME]: the kernel build's command line.
import { parseArgs } from "node:util";
import { buildKernel } from "./build.ts";
import { FAULTS } from "./fault-switches.ts";

function usage(): string {
  const faults = Object.entries(FAULTS)
    .map(([k, v]) => `  ${k.padEnd(16)} ${v.description}`)
    .join("\n");
  return `usage: npm run build:kernel [-- --fault NAME] [-- --force]

Builds kernel/build/kernel.elf, or with --fault NAME kernel/build/kernel-NAME.elf,
a kernel with one of the seed's bugs put back (fault injection):
${faults}

An ELF already built from the same sources, assets, build scripts and toolchain is
kept (kernel/build/*.elf.inputs records what it was built from); --force rebuilds it.`;
}

try {
  const { values } = parseArgs({
    options: { fault: { type: "string" }, force: { type: "boolean" }, help: { type: "boolean", short: "h" } },
  });
  if (values.help) {
    console.log(usage());
  } else {
    const { elf, seconds, reused } = await buildKernel({ fault: values.fault, force: values.force });
    console.log(
      reused ? `${elf} is up to date (its inputs have not changed)` : `built ${elf} in ${seconds.toFixed(1)} s`,
    );
  }
} catch (err) {
  console.error(`build:kernel: ${(err as Error).message}`);
  process.exit(2);
}
