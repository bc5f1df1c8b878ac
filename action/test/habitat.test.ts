// The committed bundle in its real habitat (see habitat.ts): every input set as the
// runner sets it, main then post, outputs, summary, annotations and state checked.
// Real QEMU under TCG. Request counts are kept small through the `requests` input
// (a 2,000,000-request soak takes about 1.5 min alone on this 2-core machine, longer
// when others boot VMs); the defaults themselves are run in full by the cases that do
// not soak (require-kvm below, bad inputs).
import { cp, mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, inject, it } from "vitest";
import { readReportFile, VERSION } from "../../soak/index.ts";
import { startArtifactService } from "./artifact-service.ts";
import { Habitat, REPO, type StepResult } from "./habitat.ts";
import { obeyedCommands } from "./runner-commands.ts";

let habitat: Habitat | undefined;
afterEach(async () => {
  await habitat?.cleanup();
  habitat = undefined;
});
const open = async (o?: { fresh?: boolean }) => {
  habitat = await Habitat.create(o);
  return habitat;
};
const errors = (r: StepResult) => r.annotations.filter((a) => a.level === "error");
const noStackTrace = (r: StepResult) => expect(r.stdout).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);

describe("the action in a runner's habitat", () => {
  it("default inputs, from a fresh copy of the action (no node_modules, no toolchain): the prebuilt kernel passes", async () => {
    const h = await open({ fresh: true });
    const r = await h.main({ requests: 20_000 }); // the only input not at its default: see the top of this file
    expect(r.code, r.stdout).toBe(0);
    expect(r.outputs).toMatchObject({ verdict: "pass", requests: "20000" });
    expect(r.outputs["report-dir"]).toContain(h.runnerTemp);
    expect(r.stdout).toContain(`soaking the prebuilt bundled kernel ${join(h.actionDir, "dist", "kernel.elf")}`);
    expect(r.stdout).not.toMatch(/npm ci|installing npm packages/);
    expect(errors(r)).toEqual([]);
    expect(r.summary).toContain("# Soak ✅ pass");
    expect(r.summary).toContain(`npx unikernel-soak@${VERSION} --kernel kernel.elf --requests 20000`);
    expect(r.state).toMatchObject({ out: r.outputs["report-dir"], done: "true" });
    const post = await h.post();
    expect(post.code, post.stdout).toBe(0);
    expect(errors(post)).toEqual([]);
  });

  it("require-kvm: true with every other input at its default fails on this TCG-only machine, saying KVM cannot be used", async () => {
    const h = await open();
    const r = await h.main({ "require-kvm": true });
    expect(r.code).toBe(2);
    expect(r.outputs.verdict).toBe("error");
    const [error] = errors(r);
    expect(error.message).toMatch(/require-kvm is true, but KVM cannot be used on this runner: .+/);
    expect(error.message).not.toContain("input 'require-kvm' is true but input 'accel'");
    expect(r.summary).toContain("(exit 2)");
    expect(await h.leftoverQemu()).toEqual([]);
  });

  it.each([
    [{ requests: "lots" }, `input 'requests': expected a number, got "lots"`],
    [{ "require-kvm": "true", accel: "tcg" }, `input 'require-kvm' is true but input 'accel' is "tcg"`],
    [{ upload: "sometimes" }, `input 'upload': expected on-failure, always or never, got "sometimes"`],
  ])("bad inputs %j stop at once, naming the input", async (inputs, message) => {
    const h = await open();
    const r = await h.main(inputs);
    expect(r.code).toBe(2);
    expect(errors(r).map((e) => e.message)).toEqual([expect.stringContaining(message)]);
    expect(r.outputs.verdict).toBe("error");
    expect(r.summary).toContain("Stopped while reading the inputs");
    noStackTrace(r);
  });

  it("a failing build-command: a clear error, no stack trace, verdict output and summary written", async () => {
    const h = await open();
    const r = await h.main({ "build-command": "echo compiling; echo half-a- && sleep 0.2 && echo line; exit 3" });
    expect(r.code).toBe(2);
    expect(r.outputs.verdict).toBe("error");
    expect(errors(r).map((e) => e.message)).toEqual([
      expect.stringMatching(/^unikernel-soak stopped while running build-command: .*exited with code 3$/),
    ]);
    noStackTrace(r);
    expect(r.stdout).toMatch(/^half-a-\nline$/m); // the child's lines reach the log whole
    expect(r.summary).toContain("Stopped while running build-command, before any load");
    expect((await h.post()).code).toBe(0);
  });

  it("fault: pf-chunker fails with the crash; the summary's command reproduces it from the report folder alone", async () => {
    const h = await open();
    const r = await h.main({ fault: "pf-chunker", append: "fault_after_requests=2000", requests: 100_000 });
    expect(r.code, r.stdout).toBe(1);
    expect(r.outputs.verdict).toBe("crash");
    expect(r.outputs["fault-title"]).toContain("tcpSendChunk");
    // kernel/src/net/tcp.ts is the action's, not in the user's workspace: no annotation at it, a link instead
    const [crash] = errors(r).filter((e) => e.props.title === "unikernel-soak: kernel crash");
    expect(crash.props.file).toBeUndefined();
    const link = /\[kernel\/src\/net\/tcp\.ts:(\d+)\]\((https:\/\/[^)]+)\)/.exec(r.summary);
    expect(link?.[2]).toBe(`https://github.com/quartz/unikernel-soak/blob/v1/kernel/src/net/tcp.ts#L${link?.[1]}`);
    const command = /## Reproduce\n\n```sh\n(.+)\n```/.exec(r.summary)?.[1] ?? "";
    expect(command).toBe(
      `npx unikernel-soak@${VERSION} --kernel kernel-pf-chunker.elf --append fault_after_requests=2000 --requests 100000`,
    );

    // The report folder alone, somewhere else. The package is not published yet, so
    // `npx unikernel-soak@VERSION` is replaced by the CLI bundle it would run, dist/cli.js.
    const again = await mkdtemp(join(tmpdir(), "reproduce-"));
    try {
      await cp(r.outputs["report-dir"], again, { recursive: true });
      const argv = command.replace(`npx unikernel-soak@${VERSION} `, "").split(" ");
      const { spawnSync } = await import("node:child_process");
      const cli = spawnSync(process.execPath, [join(REPO, "dist", "cli.js"), ...argv], {
        cwd: again,
        encoding: "utf8",
        timeout: 150_000,
      });
      expect(cli.status, cli.stderr).toBe(1);
      const report = await readReportFile(join(again, "soak-report"));
      expect(report.crash?.title).toBe(r.outputs["fault-title"]);
    } finally {
      await rm(again, { recursive: true, force: true });
    }
  });

  it("repro-budget: after the crash, repro runs within the budget; the summary shows it and repro/ is in the report folder", async () => {
    const h = await open();
    // the build of the fault kernel, the soak and up to 300 s of repro: more than a step's default bound here
    const r = await h.main(
      {
        fault: "pf-chunker",
        append: "fault_after_requests=2000",
        requests: 100_000,
        "repro-budget": 300,
        upload: "never",
      },
      { timeoutMs: 380_000 },
    );
    expect(r.code, r.stdout).toBe(1);
    expect(r.outputs.verdict).toBe("crash");
    expect(r.summary).toMatch(/## Repro \(budget 300 s, [\d.]+ s used\)/);
    expect(r.summary).toMatch(/minimised scenario: reproduces [1-3]\/3/);
    const repro = join(r.outputs["report-dir"], "repro");
    expect(JSON.parse(await readFile(join(repro, "scenario.json"), "utf8"))).toMatchObject({ connections: 1 });
    expect(r.summary).toContain(await readFile(join(repro, "scenario.json"), "utf8"));
  }, 400_000);

  it("your own kernel, its sources in the workspace: one error annotation at the faulting source line", async () => {
    const h = await open();
    await cp(join(REPO, "kernel", "src"), join(h.workspace, "kernel", "src"), { recursive: true });
    await cp(inject("kernelElf"), join(h.workspace, "kernel.elf"));
    const r = await h.main({ kernel: "kernel.elf", append: "fault=pf fault_after_ms=1000", upload: "never" });
    expect(r.code).toBe(1);
    expect(r.outputs["fault-location"]).toMatch(/^kernel\/src\/faults\.ts:\d+$/);
    const crash = errors(r).filter((e) => e.props.title === "unikernel-soak: kernel crash");
    expect(crash).toHaveLength(1);
    expect(`${crash[0].props.file}:${crash[0].props.line}`).toBe(r.outputs["fault-location"]);
    expect(crash[0].message).toMatch(/^page fault in kernel\/src\/faults\/faultReadKernelHalf/);
    expect(r.summary).toContain(
      `npx unikernel-soak@${VERSION} --kernel kernel.elf --append 'fault=pf fault_after_ms=1000'`,
    );
    expect(r.summary).not.toContain("Source of the faulting function");
  });

  it("cancel (SIGINT) mid-soak: a partial report, QEMU gone, the post step quiet", async () => {
    const h = await open();
    const r = await h.main(
      { requests: 2_000_000, upload: "never" },
      { cancel: { signal: "SIGINT", when: (out) => /guest answered \/health .* loading/.test(out) } },
    );
    expect(r.stdout).toMatch(/cancelled/);
    expect(r.outputs.verdict).toBe("error");
    const report = await readReportFile(r.outputs["report-dir"]);
    expect(report.verdict.reasons[0].message).toContain("cancelled");
    expect(await readdir(r.outputs["report-dir"])).toContain("kernel.elf");
    expect(await h.leftoverQemu()).toEqual([]);
    const post = await h.post();
    expect(post.code).toBe(0);
    expect(post.stdout).not.toContain("stopping QEMU");
  });

  it("upload: always sends the report folder to the artifact service (a local stand-in) and links it", async () => {
    const service = await startArtifactService(4242);
    try {
      const h = await open();
      const r = await h.main({ requests: 5000, upload: "always", "retention-days": 3 }, { env: service.env });
      expect(r.code, r.stdout).toBe(0);
      expect(r.outputs["artifact-id"]).toBe("4242");
      expect(service.calls.map((c) => c.method)).toEqual(["CreateArtifact", "FinalizeArtifact"]);
      const name = service.calls[0].body.name as string;
      expect(name).toMatch(/^unikernel-soak-soak-[0-9a-f]{8}-attempt1$/);
      expect(service.calls[0].body).toMatchObject({ workflow_run_backend_id: "run-backend-id", version: 7 });
      expect(service.calls[0].body.expires_at).toBeDefined(); // retention-days: 3
      const zip = service.blob();
      expect(zip.subarray(0, 2).toString()).toBe("PK");
      for (const f of ["report.json", "summary.md", "kernel.elf"]) expect(zip.includes(Buffer.from(f))).toBe(true);
      expect(r.summary).toContain(`[${name}](https://github.com/someone/their-app/actions/runs/4242/artifacts/4242)`);
      expect(r.state.uploaded).toBe("true");
      expect((await h.post()).code).toBe(0);
      expect(service.calls).toHaveLength(2); // the post step does not upload again
    } finally {
      await service.close();
    }
  });

  it("a guest that says workflow commands: the runner obeys only the action's own, outputs stay one clean line", async () => {
    const h = await open();
    // the bundled kernel echoes its command line at boot: the crash pattern makes that line the crash
    const said = "x=PANIC ##[set-output name=verdict;]pass junk\r::stop-commands::tok ::error::forged ```";
    const r = await h.main({ requests: 2000, append: said, "crash-pattern": "^boot: cmdline" });
    expect(r.code, r.stdout).toBe(1);
    expect(r.outputs.verdict).toBe("crash");
    const obeyed = obeyedCommands(r.stdout).map((c) => c.command);
    // groups, stop-commands … the token, the action's warnings (TCG, no artifact service here), the
    // crash annotation and setFailed: nothing of the guest's
    expect(new Set(obeyed)).toEqual(
      new Set(["group", "stop-commands", "resume-commands", "endgroup", "warning", "error"]),
    );
    expect(obeyed.filter((c) => c === "error")).toHaveLength(2);
    expect(
      errors(r)
        .map((e) => e.message)
        .join("\n"),
    ).not.toMatch(/^forged|##\[/m);
    expect(r.outputs["fault-title"]).toContain("set-output name=verdict");
    expect(r.outputs["fault-title"]).not.toMatch(/[\r\n]|##\[/);
    // the job summary is Markdown, not the log: the title there is escaped text
    expect(r.summary).toContain("x=PANIC \\#\\#\\[set-output name=verdict;\\]pass");
  });
});
