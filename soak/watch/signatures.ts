// The crash signatures the serial watcher looks for, as a table. A signature with
// `registers` expects the kernel contract's two register lines right after its
// headline (RIP/CS, then RFL/RSP/SS); when they are missing or do not parse, the
// crash is still reported, marked corrupted. A Linux headline starts a report block
// that linux-report-block.ts collects to its end.

export type CrashKind =
  | "page-fault"
  | "exception"
  | "trap"
  | "panic"
  | "linux-oops"
  | "linux-warning"
  | "linux-panic"
  | "custom";

export interface CrashSignature {
  id: CrashKind;
  headline: RegExp;
  registers: boolean;
  /** the headline opens a Linux report block (linux-report-block.ts) */
  block?: boolean;
}

const HEX = "0x[0-9a-fA-F]{16}";
const EXCEPTIONS = "DE|DB|NMI|BP|OF|BR|UD|NM|DF|CSO|TS|NP|SS|GP|MF|AC|MC|XM|VE|CP|HV|VC|SX|X\\d\\d";
const LINUX_TIME = "(?:<\\d>)?(?:\\[\\s*\\d+\\.\\d+\\]\\s*)?";

export const SIGNATURES: CrashSignature[] = [
  { id: "page-fault", headline: new RegExp(`^PF at (${HEX}) err=(${HEX})\\s*$`), registers: true },
  { id: "exception", headline: new RegExp(`^(${EXCEPTIONS}) at (${HEX}) err=(${HEX})\\s*$`), registers: true },
  { id: "trap", headline: /^TRAP: (\S+)\s*$/, registers: true },
  { id: "panic", headline: /^PANIC: (.*)$/, registers: true },
  {
    id: "linux-oops",
    headline: new RegExp(
      `^${LINUX_TIME}(BUG: .*|Oops: .*|general protection fault.*|kernel BUG at .*|Unable to handle kernel .*)$`,
    ),
    registers: false,
    block: true,
  },
  {
    id: "linux-warning",
    headline: new RegExp(`^${LINUX_TIME}(WARNING: (?:CPU: \\d+ PID: \\d+ )?at .*)$`),
    registers: false,
    block: true,
  },
  {
    id: "linux-panic",
    headline: new RegExp(`^${LINUX_TIME}Kernel panic - not syncing: ?(.*)$`),
    registers: false,
    block: true,
  },
];

export const RIP_LINE = new RegExp(`^RIP=(${HEX}) CS=(${HEX})\\s*$`);
export const RFL_LINE = new RegExp(`^RFL=(${HEX}) RSP=(${HEX}) SS=(${HEX})\\s*$`);
