#!/usr/bin/env node
// A stand-in for qemu-system-x86_64, passed to the engine as --qemu: it speaks the kernel
// contract as far as the engine needs (serial, HTTP on the forwarded loopback ports, QMP)
// and misbehaves as the script in HOSTILE_VMM_SCRIPT says (behaviour.ts). It ends on
// SIGTERM/SIGKILL as QEMU does, or on its own when the script says so.
import { createServer } from "node:net";
import { prng } from "./prng.mjs";
import { parseQemuArgv } from "./vmm-argv.mjs";
import { serveHttp } from "./vmm-http.mjs";
import { serveQmp } from "./vmm-qmp.mjs";
import { writeSerial } from "./vmm-serial.mjs";

const script = JSON.parse(process.env.HOSTILE_VMM_SCRIPT || "{}");
const vm = parseQemuArgv(process.argv.slice(2));
const random = prng(script.seed ?? 1);

writeSerial(vm.serialPath, script);
await serveQmp(vm.qmpPath, script.qmp, () => process.exit(0));
await serveHttp(vm.forwards, script, random);
// the gdbstub's socket is made, as QEMU makes it, but hangs up on gdb: a stand-in has no CPU to show
if (vm.gdbPath) createServer((s) => s.destroy()).listen(vm.gdbPath);
process.stderr.write(`hostile stand-in VMM: ${vm.forwards.length} forwarded ports, kernel ${vm.kernel}\n`);

const exit = script.exit;
if (exit)
  setTimeout(() => {
    if (exit.signal) process.kill(process.pid, exit.signal);
    process.exit(exit.code ?? 0);
  }, exit.afterMs);
