// The flag table's "kernel" section: the guest, its QEMU and the path into it.
import type { Section } from "./flag.ts";
import { choice, MAX_MIB, onOff, repeatable, text, whole } from "./kinds.ts";

export const kernelFlags: Section = {
  title: "kernel",
  flags: [
    {
      name: "kernel",
      option: "kernel",
      kind: text,
      value: "PATH",
      file: true,
      help: "a PVH x86-64 ELF or a Linux bzImage to soak (default: build the bundled kernel)",
      input: {
        description:
          "Path to a prebuilt kernel, a PVH x86-64 ELF or a Linux bzImage. Empty = build and soak the bundled TypeScript kernel.",
      },
    },
    {
      name: "symbols",
      option: "symbols",
      kind: text,
      value: "ELF",
      file: true,
      help: "the ELF to symbolise a crash against, e.g. vmlinux (default: the kernel ELF)",
      input: {
        description:
          "Path to the ELF a crash is symbolised against (vmlinux for a bzImage). Empty = the kernel ELF itself.",
      },
    },
    {
      name: "fault",
      option: "fault",
      kind: text,
      value: "NAME",
      help: "build the bundled kernel with a fault-injection switch",
      input: {
        description:
          "Build the bundled kernel with a fault-injection switch (pf-chunker, tx-wrap-hang, tx-stall-209k, page-leak, inm-overread, reset, timer-wrap), to watch the soak fail on purpose.",
      },
    },
    {
      name: "append",
      option: "append",
      kind: text,
      value: "TEXT",
      help: "kernel command line",
      input: { description: "The kernel command line." },
    },
    {
      name: "initrd",
      option: "initrd",
      kind: text,
      value: "PATH",
      file: true,
      help: "initrd for the kernel",
      input: { description: "Path to an initrd (initramfs) for the kernel, e.g. a Linux bzImage's. Empty = none." },
    },
    {
      name: "memory",
      option: "memoryMiB",
      kind: whole(64, MAX_MIB),
      value: "MIB",
      help: "guest memory (default {default})",
      input: { description: "Guest memory in MiB." },
    },
    { name: "qemu", option: "qemu", kind: text, value: "BINARY", help: "the QEMU to run (default qemu-system-x86_64)" },
    {
      name: "qemu-arg",
      option: "qemuArgs",
      kind: repeatable(
        (t) => t,
        (t) => t,
      ),
      value: "ARG",
      help: "extra QEMU argument (repeatable)",
      input: { description: "Extra QEMU arguments, one per line." },
    },
    {
      name: "accel",
      option: "accel",
      kind: choice("auto", "kvm", "tcg"),
      value: "auto|kvm|tcg",
      help: "auto = KVM only if a probe guest runs under it (default {default})",
      input: {
        description: "auto (KVM only when a probe guest really runs under it, else TCG with a warning), kvm, or tcg.",
      },
    },
    {
      name: "time-warp",
      option: "timeWarp",
      kind: onOff,
      value: "",
      help:
        "run the guest under QEMU's instruction counter, its idle time skipped\n" +
        "(TCG only; auto picks TCG): hours of uptime in minutes, for bugs that\n" +
        'come with uptime (README, "Uptime bugs")',
      input: {
        description:
          "true: run the guest under QEMU's instruction counter (icount, sleep=off), so its idle time is skipped and hours of uptime pass in minutes (TCG only: auto picks TCG, kvm is refused).",
        default: "false",
      },
    },
    {
      name: "network",
      option: "network",
      kind: choice("auto", "user", "tap"),
      value: "auto|user|tap",
      help:
        "the path into the guest: tap = a tap device in a network namespace made\n" +
        "for the soak (root or password-less sudo; the guest at 10.0.2.15, by DHCP\n" +
        "too), user = QEMU user networking on loopback ports; auto = tap where it can\n" +
        "be made (default {default})",
      input: {
        description:
          "The path into the guest: auto (a tap device in a network namespace made for the soak where the step runs as root or has password-less sudo, as GitHub's hosted runners do; else QEMU user networking, said in the report), tap, or user. Both answer DHCP with 10.0.2.15.",
      },
    },
  ],
};
