// Says what the tests left in the temp folder (a global set-up's teardown).
import { readdir } from "node:fs/promises";
import { tmpdir } from "node:os";

/** Call before the tests; the function it returns warns of what is new in the temp folder after them. */
export async function tempFolderCheck(): Promise<() => Promise<void>> {
  const before = new Set(await readdir(tmpdir()));
  return async () => {
    // tsx-<uid> is tsx's compile cache, kept across runs by design; a 21-character nanoid is
    // vitest's own folder, which it removes after this teardown
    const left = (await readdir(tmpdir())).filter((e) => !before.has(e) && !/^(tsx-\d+|[\w-]{21})$/.test(e));
    // A warning only: other programs may use the temp folder too (.ci/run checks a folder of its own)
    if (left.length) console.warn(`global-setup: new in ${tmpdir()} after the tests: ${left.slice(0, 20).join(", ")}`);
  };
}

/** The quick tests' global set-up: no kernel to build, only the temp folder to watch. */
export default tempFolderCheck;
