// The stand-in's QMP socket: the greeting, then what the engine's triage asks
// (qmp_capabilities, stop, cont, human-monitor-command, dump-guest-memory, quit),
// unless the script makes it silent, rude or absent.
import { writeFileSync } from "node:fs";
import { createServer } from "node:net";

const GREETING = { QMP: { version: { qemu: { micro: 0, minor: 0, major: 9 }, package: "hostile" }, capabilities: [] } };
const REGISTERS =
  "CPU#0\nRAX=0000000000000000 RBX=0000000000000000\nRIP=0000000000100000 RFL=00000002 [-------] CPL=0 II=0 A20=1 SMM=0 HLT=1\n";

function reply(command, args, qmp) {
  switch (command) {
    case "human-monitor-command":
      return { return: qmp.registers ?? REGISTERS };
    case "dump-guest-memory": {
      // protocol "file:PATH": a small stand-in core where the engine asked for it
      const path = String(args?.protocol ?? "").replace(/^file:/, "");
      writeFileSync(path, "hostile guest memory\n");
      return { return: {} };
    }
    case "qmp_capabilities":
    case "stop":
    case "cont":
    case "quit":
      return { return: {} };
    default:
      return { error: { class: "CommandNotFound", desc: `The command ${command} has not been found` } };
  }
}

/** Listens on `path`; `onQuit` ends the VMM as QEMU's quit does. */
export function serveQmp(path, qmp = {}, onQuit) {
  const mode = qmp.mode ?? "ok";
  const server = createServer((socket) => {
    socket.on("error", () => {});
    if (mode === "close") return socket.destroy();
    if (mode === "garbage") return socket.write("{ this is not JSON\n<html>\n\n");
    socket.write(`${JSON.stringify(GREETING)}\n`);
    let buffered = "";
    socket.setEncoding("utf8");
    socket.on("data", (d) => {
      buffered += d;
      for (let nl = buffered.indexOf("\n"); nl >= 0; nl = buffered.indexOf("\n")) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        if (mode === "silent" || !line.trim()) continue;
        let msg;
        try {
          msg = JSON.parse(line);
        } catch {
          socket.write(`${JSON.stringify({ error: { class: "GenericError", desc: "JSON parse error" } })}\n`);
          continue;
        }
        socket.write(`${JSON.stringify(reply(msg.execute, msg.arguments, qmp))}\n`);
        if (msg.execute === "quit") onQuit();
      }
    });
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(path, () => resolve(server));
  });
}
