// The action's inputs: every row of the flag table marked as an input (soak/flags/table.ts)
// becomes its CLI flag, so the engine's own validation applies, and its messages are
// reworded to name the input. A repeatable flag's input takes one value per line.
import { FLAGS, type FlagTable, flagsOf, inputDefault, parseCli, type SoakOptions, UsageError } from "../soak/index.ts";

/** The inputs passed to the engine as flags, by name. */
export const engineInputs = (table: FlagTable = FLAGS) => flagsOf(table).filter((f) => f.input);

/** The flags the inputs give. An input at its default gives none, so a scenario file's value stands. */
function inputArgv(get: (name: string) => string, table: FlagTable): string[] {
  const argv: string[] = [];
  for (const f of engineInputs(table)) {
    const raw = get(f.name);
    if (raw.trim() === inputDefault(f, table).trim()) continue;
    const values = f.kind.multiple ? raw.split(/\r?\n/) : [raw];
    for (const v of values.map((x) => x.trim()).filter(Boolean)) argv.push(`--${f.name}=${v}`);
  }
  return argv;
}

export type Upload = "on-failure" | "always" | "never";

export interface ActionConfig {
  options: SoakOptions;
  buildCommand: string;
  artifactName: string;
  upload: Upload;
  retentionDays?: number;
  /** require-kvm: true (then options.accel is "kvm") */
  requireKvm: boolean;
  /** seconds for a repro after a kernel failure (0 = none) */
  reproBudgetS: number;
  /** compare against this kernel path or git ref instead of soaking (action/compare.ts) */
  compareTo: string;
}

export class InputError extends Error {}

/** Reads the inputs through `get` (core.getInput); throws InputError naming the bad input. */
export function readInputs(get: (name: string) => string, outDir: string, table: FlagTable = FLAGS): ActionConfig {
  const argv = inputArgv(get, table);
  const requireKvm = get("require-kvm").trim();
  if (requireKvm !== "" && requireKvm !== "true" && requireKvm !== "false") {
    throw new InputError(`input 'require-kvm': expected true or false, got "${requireKvm}"`);
  }
  if (requireKvm === "true") {
    // The runner always passes accel's default ("auto"): auto and kvm both mean "use KVM".
    const accel = get("accel").trim();
    if (accel === "tcg") throw new InputError(`input 'require-kvm' is true but input 'accel' is "tcg"; drop one`);
    argv.push("--accel=kvm");
  }
  argv.push(`--out=${outDir}`);
  let options: SoakOptions;
  try {
    const parsed = parseCli(argv, table);
    if (parsed === "help") throw new UsageError("unexpected help request");
    options = parsed;
  } catch (err) {
    if (err instanceof UsageError) throw new InputError(err.message.replace(/--([a-z-]+)/g, "input '$1'"));
    throw err;
  }
  const upload = readUpload(get);
  const retention = get("retention-days").trim();
  const retentionDays = retention === "" ? undefined : Number(retention);
  if (retentionDays !== undefined && !(Number.isInteger(retentionDays) && retentionDays >= 1 && retentionDays <= 90)) {
    throw new InputError(`input 'retention-days': expected a whole number of days from 1 to 90, got "${retention}"`);
  }
  const reproBudget = get("repro-budget").trim() || "0";
  if (!/^\d+$/.test(reproBudget))
    throw new InputError(
      `input 'repro-budget': expected a whole number of seconds (0 = no repro), got "${reproBudget}"`,
    );
  const artifactName = readArtifactName(get);
  return {
    options,
    buildCommand: get("build-command").trim(),
    artifactName,
    upload,
    retentionDays,
    requireKvm: requireKvm === "true",
    reproBudgetS: Number(reproBudget),
    compareTo: get("compare-to").trim(),
  };
}

// The runner passes action.yml's defaults; these stand in when an input is empty (a local run).

/** Input 'upload', checked. The post step reads it the same way. */
export function readUpload(get: (name: string) => string): Upload {
  const upload = (get("upload").trim() || "on-failure") as Upload;
  if (!["on-failure", "always", "never"].includes(upload))
    throw new InputError(`input 'upload': expected on-failure, always or never, got "${upload}"`);
  return upload;
}

/** Input 'artifact-name', checked. The post step reads it the same way. */
export function readArtifactName(get: (name: string) => string): string {
  const name = get("artifact-name").trim() || "unikernel-soak";
  if (/[":<>|*?\\/\r\n]/.test(name))
    throw new InputError(
      `input 'artifact-name': "${name}" has a character artifact names cannot hold (" : < > | * ? \\ /)`,
    );
  return name;
}
