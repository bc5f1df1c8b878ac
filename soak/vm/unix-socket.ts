// A connection to one of QEMU's unix sockets (QMP, the gdbstub), or an error that names it
// when it does not come within the timeout.
import { createConnection, type Socket } from "node:net";

export async function connectUnix(path: string, timeoutMs: number, what: string): Promise<Socket> {
  const socket = createConnection(path);
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`${what}: no connection to ${path} in ${timeoutMs} ms`));
    }, timeoutMs);
    socket.once("connect", () => {
      clearTimeout(timer);
      resolve();
    });
    socket.once("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
  return socket;
}
