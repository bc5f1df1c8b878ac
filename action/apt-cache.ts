// The .deb files apt downloads while preparing the runner (QEMU and friends), kept in
// GitHub's cache under the runner image (ImageOS + ImageVersion) and the set-up script
// that chose them, so the next job on the same image installs without the mirrors.
// A cache problem is a warning, never a failed job.
import { createHash } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { PACKAGE_ROOT } from "../soak/index.ts";

/** The part of @actions/cache this uses (a fake stands in for it in tests). */
export interface CacheClient {
  restoreCache(paths: string[], primaryKey: string): Promise<string | undefined>;
  saveCache(paths: string[], key: string): Promise<number>;
}

export async function aptCacheKey(env: NodeJS.ProcessEnv): Promise<string> {
  const setup = await readFile(join(PACKAGE_ROOT, "scripts", "setup.mjs"));
  const packages = createHash("sha256").update(setup).digest("hex").slice(0, 12);
  const image = `${env.ImageOS ?? env.RUNNER_OS ?? "unknown"}-${env.ImageVersion ?? "unknown"}-${env.RUNNER_ARCH ?? ""}`;
  return `unikernel-soak-apt-${image}-${packages}`;
}

/** Restores `dir`'s .deb files, runs `install(dir)`, and saves them when the cache missed and apt downloaded any. */
export async function withAptCache(
  client: CacheClient,
  dir: string,
  env: NodeJS.ProcessEnv,
  install: (dir: string) => Promise<void>,
  log: { info: (line: string) => void; warning: (line: string) => void },
): Promise<void> {
  const key = await aptCacheKey(env);
  const paths = [join(dir, "*.deb")];
  const hit = await client.restoreCache(paths, key).catch((err: Error) => {
    log.warning(`apt package cache not restored (${err.message}); downloading from the mirrors`);
    return undefined;
  });
  log.info(hit ? `apt packages restored from the cache (${key})` : `no apt package cache for ${key}`);
  await install(dir);
  if (hit) return;
  const debs = (await readdir(dir).catch(() => [])).filter((f) => f.endsWith(".deb"));
  if (debs.length === 0) return; // nothing was missing, nothing downloaded
  try {
    await client.saveCache(paths, key);
    log.info(`saved ${debs.length} apt packages to the cache (${key})`);
  } catch (err) {
    log.warning(`apt package cache not saved: ${(err as Error).message}`);
  }
}
