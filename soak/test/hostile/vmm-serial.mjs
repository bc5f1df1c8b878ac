// The stand-in's serial console: QEMU's "-chardev file" appends the guest's bytes to a
// file; so does this, with whatever the script says the guest prints.
import { appendFileSync } from "node:fs";

/** Writes the script's serial lines and bytes now; returns the flood's timer, if any. */
export function writeSerial(path, script) {
  const lines = ["hostile guest booting", ...(script.serial ?? []), "ready"];
  appendFileSync(path, lines.map((l) => `${l}\n`).join(""));
  if (script.serialBytes) appendFileSync(path, Buffer.from(script.serialBytes, "base64"));
  const flood = script.flood;
  if (!flood) return undefined;
  const bytes = Buffer.from(flood.b64, "base64");
  return setInterval(() => appendFileSync(path, bytes), Math.max(1, flood.everyMs));
}
