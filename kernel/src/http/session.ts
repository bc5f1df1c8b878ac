// HTTP's state for each connection, kept by slot: what must survive from one delivery
// of received bytes to the next. A slot's next connection starts afresh (Conn.serial).
import * as socket from "../net/socket";
import { Conn } from "../net/socket";

export class Session {
  serial: u32 = 0;
  /** request body bytes still to be read past (a body is not served, only skipped) */
  skip: u32 = 0;
}

const sessions = new StaticArray<Session | null>(socket.MAX_SOCKETS);

/** The session of the connection `c` holds now. */
export function forConnection(c: Conn): Session {
  let s = unchecked(sessions[c.id]);
  if (s == null) {
    s = new Session();
    unchecked((sessions[c.id] = s));
  }
  if (s.serial != c.serial) {
    s.serial = c.serial;
    s.skip = 0;
  }
  return s;
}
