// npm run build:kernel [-- --fault NAME]: the kernel build's command line.
import { parseArgs } from "node:util";
import { buildKernel } from "./build.ts";
import { FAULTS } from "./faults.ts";

function usage(): string {
  const faults = Object.entries(FAULTS)
    .map(([k, v]) => `  ${k.padEnd(16)} ${v.description}`)
    .join("\n");
  return `usage: npm run build:kernel [-- --fault NAME]

Builds kernel/build/kernel.elf, or with --fault NAME kernel/build/kernel-NAME.elf,
a kernel with one of the seed's bugs put back (fault injection):
${faults}`;
}

try {
  const { values } = parseArgs({ options: { fault: { type: "string" }, help: { type: "boolean", short: "h" } } });
  if (values.help) {
    console.log(usage());
  } else {
    const { elf, seconds } = await buildKernel({ fault: values.fault });
    console.log(`built ${elf} in ${seconds.toFixed(1)} s`);
  }
} catch (err) {
  console.error(`build:kernel: ${(err as Error).message}`);
  process.exit(2);
}
