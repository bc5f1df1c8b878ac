// A load worker: one MixedLoad in a process of its own, started and driven by pool.ts over
// the IPC channel. It never outlives the engine: it exits when the channel closes (the
// engine exited, or the pool is done with it), and pool.ts starts it with a parent-death
// signal as well.
import { MixedLoad } from "./mixed.ts";
import type { FromWorker, ToWorker } from "./worker-messages.ts";

const send = (m: FromWorker) => process.send?.(m);

if (!process.send) {
  console.error("load-worker: started by the engine's load pool only (it needs the IPC channel)");
  process.exit(2);
}
process.on("disconnect", () => process.exit(0));

let load: MixedLoad | undefined;
let stopEarly = false;
let granted = 0;
process.on("message", (m: ToWorker) => {
  if (m.type === "start" && !load) start(m.options);
  else if (m.type === "stop") {
    stopEarly = true;
    load?.stop();
  } else if (m.type === "grant") {
    granted = m.upTo;
    load?.grant(granted);
  } else if (m.type === "unanswered") send({ type: "unanswered", id: m.id, requests: load?.unanswered() ?? [] });
});

function start(options: ConstructorParameters<typeof MixedLoad>[0]): void {
  const startedAt = Date.now();
  const run = new MixedLoad(options, ({ count, latency, seconds }) => send({ type: "tick", count, latency, seconds }));
  load = run;
  run.grant(granted);
  if (stopEarly) run.stop();
  run.done.then(
    (result) => {
      const unanswered = run.unanswered();
      send({ type: "done", result, latency: run.latencies(), unanswered, startedAt, endedAt: Date.now() });
    },
    (err: Error) => send({ type: "failed", message: err.stack ?? err.message }),
  );
}
