// Ctrl-C for the long commands (a soak, repro, bisect, compare): the first SIGINT or SIGTERM
// asks the work to end with what it has (a partial report, a summary); a second one stops
// at once, without it (QEMU and the rest go with the process: vm/qemu.ts, vm/tap-network.ts).

/** An abort signal the first SIGINT/SIGTERM fires; the second exits 2, saying what is lost. */
export function cancelOnSignals(log: (line: string) => void, lost: string): AbortSignal {
  const controller = new AbortController();
  const stop = (signal: NodeJS.Signals) => {
    if (!controller.signal.aborted) return controller.abort();
    log(`${signal} while cancelling: stopping now, without ${lost}`);
    process.exit(2);
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
  return controller.signal;
}
