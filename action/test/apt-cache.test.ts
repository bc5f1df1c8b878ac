// The apt package cache around runner preparation, with the cache service faked
// (it does not exist here): keyed on the runner image, saved only after a miss that
// downloaded something, and never failing the job.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { aptCacheKey, type CacheClient, withAptCache } from "../apt-cache.ts";

const made: string[] = [];
afterEach(async () => {
  for (const d of made.splice(0)) await rm(d, { recursive: true, force: true });
});

const env = { ImageOS: "ubuntu24", ImageVersion: "20261124.1.0", RUNNER_ARCH: "X64", RUNNER_OS: "Linux" };

function fakeCache(hit: boolean, fail?: "restore" | "save") {
  const calls: string[] = [];
  const client: CacheClient = {
    restoreCache: async (paths, key) => {
      calls.push(`restore ${paths.join(",")} ${key}`);
      if (fail === "restore") throw new Error("cache service unavailable");
      return hit ? key : undefined;
    },
    saveCache: async (paths, key) => {
      calls.push(`save ${paths.join(",")} ${key}`);
      if (fail === "save") throw new Error("Unable to reserve cache");
      return 1;
    },
  };
  return { client, calls };
}

async function run(hit: boolean, downloads: string[], fail?: "restore" | "save") {
  const dir = await mkdtemp(join(tmpdir(), "apt-cache-"));
  made.push(dir);
  const { client, calls } = fakeCache(hit, fail);
  const lines: string[] = [];
  const log = { info: (l: string) => lines.push(`info: ${l}`), warning: (l: string) => lines.push(`warning: ${l}`) };
  await withAptCache(
    client,
    dir,
    env,
    async (d) => {
      calls.push(`install ${d}`);
      for (const f of downloads) await writeFile(join(d, f), "deb");
    },
    log,
  );
  return { dir, calls, lines, key: await aptCacheKey(env) };
}

describe("apt package cache", () => {
  it("is keyed on the runner image and the set-up script's package choice", async () => {
    const key = await aptCacheKey(env);
    expect(key).toMatch(/^unikernel-soak-apt-ubuntu24-20261124\.1\.0-X64-[0-9a-f]{12}$/);
    expect(await aptCacheKey({ ...env, ImageVersion: "20261201.1.0" })).not.toBe(key);
  });

  it("restores before the install and saves the downloaded packages after a miss", async () => {
    const { dir, calls, key } = await run(false, ["qemu-system-x86_7.2_amd64.deb", "lock"]);
    expect(calls).toEqual([`restore ${dir}/*.deb ${key}`, `install ${dir}`, `save ${dir}/*.deb ${key}`]);
  });

  it("does not save again after a hit", async () => {
    const { calls } = await run(true, ["qemu-system-x86_7.2_amd64.deb"]);
    expect(calls.filter((c) => c.startsWith("save"))).toEqual([]);
  });

  it("saves nothing when apt had nothing to download", async () => {
    const { calls } = await run(false, []);
    expect(calls.filter((c) => c.startsWith("save"))).toEqual([]);
  });

  it.each(["restore", "save"] as const)("a failed %s is a warning, and the install still runs", async (fail) => {
    const { calls, lines } = await run(false, ["gdb_13.1_amd64.deb"], fail);
    expect(calls.some((c) => c.startsWith("install"))).toBe(true);
    expect(lines.filter((l) => l.startsWith("warning:"))).toEqual([
      expect.stringMatching(
        fail === "restore" ? /not restored \(cache service unavailable\)/ : /not saved: Unable to reserve/,
      ),
    ]);
  });
});
