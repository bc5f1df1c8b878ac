// The engine's flags, one row each, in --help's sections (what a row holds: flag.ts).
// The CLI's parser and --help, the reproduce command, scenario files and the action's
// inputs are all read from here; action.yml and the README are checked against it.
import { DEFAULTS } from "../options.ts";
import type { FlagTable, Options, Section } from "./flag.ts";
import { kernelFlags } from "./kernel-flags.ts";
import { text } from "./kinds.ts";
import { loadFlags } from "./load-flags.ts";
import { watcherFlags } from "./watcher-flags.ts";

const scenario: Section = {
  title: "scenario",
  flags: [
    {
      name: "scenario",
      kind: text,
      value: "FILE",
      notInScenario: true,
      help:
        'a JSON object of the flags above, e.g. {"requests": 2000} (repro writes\n' +
        "them), read before the command line: a flag given there overrides it;\n" +
        "its relative paths (kernel, symbols, initrd) are relative to FILE",
      input: {
        description:
          "A scenario file: a JSON object of the CLI's flags, as repro writes it (repro/scenario.json). Inputs left at their defaults do not override it; its relative paths are relative to it.",
      },
    },
  ],
};

const output: Section = {
  title: "output",
  flags: [
    {
      name: "out",
      option: "out",
      kind: text,
      value: "DIR",
      notInScenario: true,
      help: "report directory (default {default})",
    },
  ],
};

export const FLAGS: FlagTable = {
  sections: [kernelFlags, loadFlags, watcherFlags, scenario, output],
  defaults: DEFAULTS as unknown as Options,
};
