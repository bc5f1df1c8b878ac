import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { readInputs } from "../inputs.ts";

const dirs: string[] = [];
afterAll(() => Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true }))));
const read = (inputs: Record<string, string>) => readInputs((name) => inputs[name] ?? "", "/tmp/out");

describe("action inputs", () => {
  it("maps onto the engine's options, defaults included", () => {
    const c = read({ requests: "5000", connections: "10", accel: "tcg", paths: "/health=1" });
    expect(c.options).toMatchObject({ requests: 5000, connections: 10, accel: "tcg", out: "/tmp/out" });
    expect(c.options.paths).toEqual([{ path: "/health", weight: 1, revalidate: false }]);
    expect(c.upload).toBe("on-failure");
    expect(c.artifactName).toBe("unikernel-soak");
    expect(c.reproBudgetS).toBe(0);
    expect(read({ "repro-budget": "300" }).reproBudgetS).toBe(300);
    expect(read({}).options.loadWorkers).toBe("auto");
    expect(read({ "load-workers": "auto" }).options.loadWorkers).toBe("auto");
    expect(read({ "load-workers": "3" }).options.loadWorkers).toBe(3);
  });

  it("soaks a user's own kernel: initrd, ports, paths, counters, crash patterns, QEMU arguments, boot time", () => {
    const c = read({
      kernel: "linux/bzImage",
      initrd: "linux/initrd.img",
      "guest-port": "80",
      "health-path": "/up",
      "stats-path": "none",
      counter: "boot-id=boot\n\n  tx-stalls=stalls  \n",
      "crash-pattern": "^FATAL: \nsegfault at [0-9a-f]+",
      "qemu-arg": "-smp\n2",
      "boot-timeout": "180",
    });
    expect(c.options).toMatchObject({
      kernel: "linux/bzImage",
      initrd: "linux/initrd.img",
      guestPorts: [80],
      healthPath: "/up",
      statsPath: "none",
      qemuArgs: ["-smp", "2"],
      bootTimeoutS: 180,
    });
    expect(c.options.counters).toMatchObject({ bootId: "boot", txStalls: "stalls", uptime: "uptime_ms" });
    expect(c.options.crashPatterns.map(String)).toEqual(["/^FATAL:/", "/segfault at [0-9a-f]+/"]);
  });

  it("an input left at action.yml's default leaves a scenario file's value standing; one set overrides it", async () => {
    const dir = await mkdtemp(join(tmpdir(), "inputs-scenario-"));
    dirs.push(dir);
    const file = join(dir, "scenario.json");
    await writeFile(file, JSON.stringify({ connections: 4, requests: 900, kernel: "k.elf" }));
    const c = read({ scenario: file, connections: "50", requests: "", accel: "auto" });
    expect(c.options).toMatchObject({ connections: 4, requests: 900, kernel: join(dir, "k.elf") });
    expect(read({ scenario: file, connections: "7" }).options.connections).toBe(7);
  });

  it("require-kvm means accel kvm, also with accel's default 'auto' as the runner passes it", () => {
    expect(read({ "require-kvm": "true" }).options.accel).toBe("kvm");
    expect(read({ "require-kvm": "true", accel: "auto" }).options.accel).toBe("kvm");
    expect(read({ "require-kvm": "true", accel: "kvm" }).requireKvm).toBe(true);
  });

  it.each([
    [{ requests: "many" }, `input 'requests': expected a number, got "many"`],
    [{ connections: "0" }, "input 'connections': expected a whole number ≥ 1, got 0"],
    [{ accel: "warp" }, `input 'accel': expected auto, kvm or tcg, got "warp"`],
    [{ "load-workers": "many" }, `input 'load-workers': expected a whole number or auto, got "many"`],
    [{ "load-workers": "0" }, "input 'load-workers': expected a whole number ≥ 1, got 0"],
    [{ "load-workers": "65" }, "input 'load-workers': 65 is more than the 64 this tool accepts"],
    [{ paths: "health" }, `input 'paths': "health" is not PATH[=WEIGHT]`],
    [{ "require-kvm": "yes" }, `input 'require-kvm': expected true or false, got "yes"`],
    [{ "require-kvm": "true", accel: "tcg" }, `input 'require-kvm' is true but input 'accel' is "tcg"`],
    [{ upload: "sometimes" }, `input 'upload': expected on-failure, always or never, got "sometimes"`],
    [{ "retention-days": "365" }, "input 'retention-days': expected a whole number of days from 1 to 90"],
    [{ "artifact-name": "a/b" }, `input 'artifact-name': "a/b" has a character`],
    [{ "guest-port": "80-70" }, `input 'guest-port': expected ports like 80 or 8000-8255,9000, got "80-70"`],
    [{ counter: "bogus=x" }, `input 'counter': expected NAME=FIELD with NAME one of boot-id, uptime,`],
    [{ "crash-pattern": "ok\n(unclosed" }, "input 'crash-pattern': Invalid regular expression"],
    [{ "boot-timeout": "0" }, "input 'boot-timeout': expected a whole number ≥ 1, got 0"],
    [{ "health-path": "up" }, `input 'health-path': must start with "/", got "up"`],
    [{ scenario: "/nonexistent/scenario.json" }, "input 'scenario' /nonexistent/scenario.json: cannot read it as JSON"],
    [{ "repro-budget": "5m" }, `input 'repro-budget': expected a whole number of seconds (0 = no repro), got "5m"`],
    [
      { kernel: "k.elf", fault: "pf-chunker" },
      "input 'fault' builds the bundled kernel; it cannot be combined with input 'kernel'",
    ],
  ])("%j fails naming the input", (inputs, message) => {
    expect(() => read(inputs)).toThrow(message);
  });
});
