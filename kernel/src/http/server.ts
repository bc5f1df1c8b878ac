// HTTP/1.1 over the TCP connections: keep-alive and pipelining, GET and HEAD, the
// routes of the kernel contract (ARCHITECTURE.md) and the baked assets. Requests are
// parsed straight from the connection's receive buffer (socket.recv); responses go into
// its send buffer (headers, generated bodies) or point at an asset's bytes in the image.
import * as con from "../console";
import { bytesEqual, Writer } from "../lib/writer";
import * as faults from "../faults";
import * as pmm from "../mem/pmm";
import * as socket from "../net/socket";
import { Conn } from "../net/socket";
import { clockNs, spinNs } from "../clock";
import { physAddr } from "../platform";
import * as stats from "../stats";
import * as assets from "./assets";
import * as rate from "./rate";
import * as recent from "./recent";
import * as session from "./session";
import { renderStats } from "./stats-json";

const BODY_CAP: usize = 7680;
const HEAD_CAP: usize = 512;
const bodyBuf = memory.data(<i32>BODY_CAP);
const headBuf = memory.data(<i32>HEAD_CAP);
const body = new Writer(bodyBuf, BODY_CAP);
const head = new Writer(headBuf, HEAD_CAP);
export let verbose = false;
/** A busy wait of this many ns per answered request (slow_request_ns=): a known slowdown,
 * so `unikernel-soak compare` can be shown to catch one. */
export let slowRequestNs: u64 = 0;
let statsRenders: u32 = 0;

// What one request asked for; the addresses point into the connection's receive buffer.
let method: u8 = recent.METHOD_OTHER;
let targetAt: usize = 0;
let targetLen: usize = 0;
let http10 = false;
let wantClose = false;
let wantKeepAlive = false;
let inmAt: usize = 0;
let inmLen: usize = 0;
let contentLength: u32 = 0;
let chunked = false;

function isTokenChar(c: u32): bool {
  // RFC 9110 tchar: visible ASCII except separators
  return c > 0x20 && c < 0x7f && c != 0x22 && c != 0x28 && c != 0x29 && c != 0x2c && c != 0x2f && c != 0x3a &&
    c != 0x3b && c != 0x3c && c != 0x3d && c != 0x3e && c != 0x3f && c != 0x40 && c != 0x5b && c != 0x5c &&
    c != 0x5d && c != 0x7b && c != 0x7d;
}

/** Index just past the blank line ending the header block, or -1. */
function headerEnd(p: usize, n: usize): isize {
  for (let i: usize = 3; i < n; i++) {
    if (load<u8>(p + i) == 0x0a && load<u8>(p + i - 1) == 0x0d && load<u8>(p + i - 2) == 0x0a && load<u8>(p + i - 3) == 0x0d) {
      return <isize>(i + 1);
    }
  }
  return -1;
}

/** False when the bytes so far cannot start a request (so we answer 400 without waiting for more). */
function plausibleStart(p: usize, n: usize): bool {
  for (let i: usize = 0; i < n; i++) {
    const c = <u32>load<u8>(p + i);
    if (c == 0x20) return i > 0;
    if (!isTokenChar(c)) return false;
  }
  return true;
}

/** Parses the request line and headers in [p, p+end); false = malformed. */
function parse(p: usize, end: usize): bool {
  method = recent.METHOD_OTHER;
  http10 = false;
  wantClose = false;
  wantKeepAlive = false;
  inmLen = 0;
  contentLength = 0;
  chunked = false;
  // request line: method SP target SP HTTP/1.x CRLF
  let i: usize = 0;
  while (i < end && isTokenChar(load<u8>(p + i))) i++;
  if (i == 0 || i >= end || load<u8>(p + i) != 0x20) return false;
  if (bytesEqual(p, i, "GET", false)) method = recent.METHOD_GET;
  else if (bytesEqual(p, i, "HEAD", false)) method = recent.METHOD_HEAD;
  const target = ++i;
  while (i < end && load<u8>(p + i) > 0x20 && load<u8>(p + i) < 0x7f) i++;
  targetAt = p + target;
  targetLen = i - target;
  if (targetLen == 0 || load<u8>(targetAt) != 0x2f || load<u8>(p + i) != 0x20) return false;
  i++;
  if (i + 10 > end) return false;
  if (bytesEqual(p + i, 10, "HTTP/1.1\r\n", false)) http10 = false;
  else if (bytesEqual(p + i, 10, "HTTP/1.0\r\n", false)) http10 = true;
  else return false;
  i += 10;
  // header fields: name ":" OWS value OWS CRLF, until the empty line
  while (i + 2 <= end) {
    if (load<u8>(p + i) == 0x0d && load<u8>(p + i + 1) == 0x0a) return i + 2 == end;
    const name = i;
    while (i < end && isTokenChar(load<u8>(p + i))) i++;
    const nameLen = i - name;
    if (nameLen == 0 || i >= end || load<u8>(p + i) != 0x3a) return false;
    i++;
    while (i < end && (load<u8>(p + i) == 0x20 || load<u8>(p + i) == 0x09)) i++;
    const value = i;
    while (i < end && load<u8>(p + i) != 0x0d) {
      const c = load<u8>(p + i);
      if (c < 0x20 && c != 0x09) return false;
      i++;
    }
    if (i + 1 >= end || load<u8>(p + i + 1) != 0x0a) return false;
    let valueLen = i - value;
    while (valueLen > 0 && (load<u8>(p + value + valueLen - 1) == 0x20 || load<u8>(p + value + valueLen - 1) == 0x09)) valueLen--;
    i += 2;
    if (bytesEqual(p + name, nameLen, "connection", true)) {
      if (bytesEqual(p + value, valueLen, "close", true)) wantClose = true;
      else if (bytesEqual(p + value, valueLen, "keep-alive", true)) wantKeepAlive = true;
    } else if (bytesEqual(p + name, nameLen, "if-none-match", true)) {
      inmAt = p + value;
      inmLen = valueLen;
    } else if (bytesEqual(p + name, nameLen, "content-length", true)) {
      if (valueLen == 0 || valueLen > 9) return false;
      let n: u32 = 0;
      for (let k: usize = 0; k < valueLen; k++) {
        const d = <u32>load<u8>(p + value + k) - 0x30;
        if (d > 9) return false;
        n = n * 10 + d;
      }
      contentLength = n;
    } else if (bytesEqual(p + name, nameLen, "transfer-encoding", true)) {
      chunked = true;
    }
  }
  return false;
}

function statusText(status: u16): string {
  switch (status) {
    case 200: return "OK";
    case 304: return "Not Modified";
    case 400: return "Bad Request";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 431: return "Request Header Fields Too Large";
    default: return "Error";
  }
}

/**
 * Queues one response: the header, then the asset's bytes (when `asset` is given) or
 * the bytes generated into `body` (typed `textType`). HEAD and 304 send the header
 * alone. Returns false when the connection's send buffer has no room yet: the request
 * stays in the receive buffer and is answered once acknowledgements free space.
 */
function respond(c: Conn, status: u16, asset: assets.Asset | null, textType: string, close: bool): bool {
  const length = asset != null ? asset.len : <u32>body.pos;
  head.reset(headBuf, HEAD_CAP);
  head.str("HTTP/1.1 ");
  head.dec(status);
  head.byte(0x20);
  head.str(statusText(status));
  // A 304 has no body; it carries no Content-Length either (some clients would wait for one).
  if (status != 304) {
    head.str("\r\nContent-Length: ");
    head.dec(length);
  }
  head.str("\r\nContent-Type: ");
  if (asset != null) {
    head.bytes(asset.type, asset.typeLen);
    head.str("\r\nETag: ");
    head.bytes(asset.etag, asset.etagLen);
  } else {
    head.str(textType);
    head.str("\r\nCache-Control: no-store");
  }
  if (status == 405) head.str("\r\nAllow: GET, HEAD");
  if (close) head.str("\r\nConnection: close");
  else if (http10) head.str("\r\nConnection: keep-alive");
  head.str("\r\n\r\n");
  const sendBody = method != recent.METHOD_HEAD && status != 304 && length > 0;
  // A generated body goes right after the header in the send buffer, as one block; only an
  // asset's body is a second span (so a dynamic response is always one span alone).
  const generated: u32 = sendBody && asset == null ? length : 0;
  const at = socket.sendBuffer(c, <u32>head.pos + generated);
  if (at == 0) return false;
  spinNs(slowRequestNs);
  memory.copy(at, headBuf, head.pos);
  memory.copy(at + head.pos, bodyBuf, <usize>generated);
  const assetBody = sendBody && asset != null;
  const assetAt: u64 = assetBody ? asset!.addr : 0;
  socket.queue(c, physAddr(at), <u32>head.pos + generated, assetAt, assetBody ? length : 0, clockNs());
  const bodyLen = sendBody ? length : 0;
  stats.requests++;
  rate.countRequest(clockNs());
  if (status == 304) stats.http304++;
  else if (status < 300) stats.http2xx++;
  else stats.http4xx++;
  recent.record(clockNs() / 1_000_000, method, targetAt, targetLen, status, <u32>head.pos + bodyLen, c.id);
  if (verbose) {
    con.str("http: conn=");
    con.dec(c.id);
    con.str(" ");
    con.dec(status);
    con.str(" ");
    con.bytes(targetAt, min(targetLen, 80));
    con.end();
  }
  if (close) socket.close(c);
  return true;
}

/** An error answered with a one-line text body, and the connection closed after it. */
function fail(c: Conn, status: u16): bool {
  body.reset(bodyBuf, BODY_CAP);
  body.str(statusText(status));
  body.byte(0x0a);
  method = recent.METHOD_OTHER;
  targetLen = 0;
  return respond(c, status, null, "text/plain; charset=utf-8", true);
}

/** Answers the request head in [p, p+end); false = retry later (no room). */
function serve(c: Conn, p: usize, end: usize): bool {
  if (!parse(p, end) || chunked) return fail(c, 400);
  const close = wantClose || (http10 && !wantKeepAlive);
  if (method == recent.METHOD_OTHER) return fail(c, 405);
  // the path is the target up to any query
  let pathLen: usize = 0;
  while (pathLen < targetLen && load<u8>(targetAt + pathLen) != 0x3f) pathLen++;
  const path = targetAt;
  body.reset(bodyBuf, BODY_CAP);
  if (bytesEqual(path, pathLen, "/health", false)) {
    body.str("ok\n");
    return respond(c, 200, null, "text/plain; charset=utf-8", close);
  }
  if (bytesEqual(path, pathLen, "/api/stats.json", false)) {
    if (isDefined(FAULT_PAGE_LEAK)) {
      // Fault injection (page-leak): a scratch page taken and never given back.
      if (faults.armed() && (++statsRenders & 15) == 0) pmm.alloc(1);
    }
    renderStats(body);
    return respond(c, 200, null, "application/json", close);
  }
  if (bytesEqual(path, pathLen, "/api/recent.json", false)) {
    recent.render(body);
    body.byte(0x0a);
    return respond(c, 200, null, "application/json", close);
  }
  const a = assets.find(path, pathLen);
  if (a != null) {
    const status: u16 = inmLen > 0 && assets.noneMatch(a, inmAt, inmLen) ? 304 : 200;
    return respond(c, status, a, "", close);
  }
  body.str("not found\n");
  return respond(c, 404, null, "text/plain; charset=utf-8", close);
}

/**
 * Parses and answers the complete requests in the `len` received bytes at `data`, as far
 * as there is room to queue answers; returns the bytes done with (the socket drops them).
 */
function answerRequests(c: Conn, data: usize, len: u32): u32 {
  const s = session.forConnection(c);
  let used: u32 = 0;
  while (used < len && !socket.closed(c) && socket.canQueue(c)) {
    const p = data + <usize>used;
    const n = len - used;
    if (s.skip > 0) {
      const skipped = min(s.skip, n);
      used += skipped;
      s.skip -= skipped;
      continue;
    }
    const end = headerEnd(p, n);
    if (end < 0) {
      if (!plausibleStart(p, n)) fail(c, 400);
      else if (socket.bufferNearlyFull(c, n)) fail(c, 431); // the head cannot end within the buffer
      break;
    }
    if (!serve(c, p, <usize>end)) break;
    used += <u32>end;
    s.skip = contentLength;
  }
  return used;
}

/** The handler tcp-input calls: `c` has received bytes. */
export function onData(c: Conn): void {
  socket.recv(c, answerRequests);
}
