// The AssemblyScript source line of a function named the way the kernel's symbols
// demangle ("kernel/src/net/tcp/tcpSendChunk" -> kernel/src/net/tcp.ts, the line that
// declares tcpSendChunk), so an annotation can point at the code a person edits. The
// name comes from the guest's symbols: a file it names outside the source root is never read.
import { readFile } from "node:fs/promises";
import { isAbsolute, relative, resolve } from "node:path";

export interface SourceLine {
  file: string;
  line: number;
}

/** `file` under `root`, or undefined when it would lead out of it ("../", an absolute path). */
export function inSourceRoot(root: string, file: string): string | undefined {
  const path = resolve(root, file);
  const rel = relative(resolve(root), path);
  return rel === "" || rel.startsWith("..") || isAbsolute(rel) ? undefined : path;
}

export async function asSourceOf(name: string, root: string): Promise<SourceLine | undefined> {
  const m = /^(.+)\/([A-Za-z_$][\w$]*)(?:#([A-Za-z_$][\w$]*))?$/.exec(name);
  if (!m || m[1].startsWith("~lib")) return undefined;
  const file = `${m[1]}.ts`;
  const fn = m[3] ?? m[2];
  const path = inSourceRoot(root, file);
  if (!path) return undefined;
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch {
    return undefined;
  }
  const declaration = m[3]
    ? new RegExp(`^\\s+(?:(?:public|private|static)\\s+)*${fn}\\s*\\(`)
    : new RegExp(`^\\s*(?:export\\s+)?function\\s+${fn}\\s*\\(`);
  const index = text.split("\n").findIndex((l) => declaration.test(l));
  return index < 0 ? undefined : { file, line: index + 1 };
}
