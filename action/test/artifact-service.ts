// A stand-in for GitHub's artifact service on 127.0.0.1, speaking what @actions/artifact
// v6 speaks: a runtime token (a JWT whose `scp` names the run's and job's backend ids),
// Twirp JSON at ACTIONS_RESULTS_URL (CreateArtifact answers with a signed upload URL,
// FinalizeArtifact with the artifact's id), and the blob upload (Azure block blob:
// PUT ?comp=block per block, then PUT ?comp=blocklist) at that URL.
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";

export interface ArtifactService {
  env: Record<string, string>;
  /** the Twirp calls, in order, with their JSON bodies */
  calls: { method: string; body: Record<string, unknown> }[];
  /** the committed blob: the zip of the report folder */
  blob(): Buffer;
  close(): Promise<void>;
}

const b64url = (o: unknown) => Buffer.from(JSON.stringify(o)).toString("base64url");
const body = (req: IncomingMessage) =>
  new Promise<Buffer>((r) => {
    const parts: Buffer[] = [];
    req.on("data", (d: Buffer) => parts.push(d));
    req.on("end", () => r(Buffer.concat(parts)));
  });

export async function startArtifactService(artifactId = 4242): Promise<ArtifactService> {
  const calls: ArtifactService["calls"] = [];
  const blocks = new Map<string, Buffer>();
  let committed: Buffer = Buffer.alloc(0);
  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const data = await body(req);
    const twirp = /^\/twirp\/github\.actions\.results\.api\.v1\.ArtifactService\/(\w+)$/.exec(url.pathname);
    if (twirp && req.method === "POST") {
      const json = JSON.parse(data.toString() || "{}");
      calls.push({ method: twirp[1], body: json });
      const reply =
        twirp[1] === "CreateArtifact"
          ? { ok: true, signedUploadUrl: `http://127.0.0.1:${port}/blob/${json.name}.zip?sig=stand-in` }
          : twirp[1] === "FinalizeArtifact"
            ? { ok: true, artifactId: String(artifactId) }
            : undefined;
      res.writeHead(reply ? 200 : 404, { "content-type": "application/json" });
      return res.end(JSON.stringify(reply ?? { code: "not_found", msg: twirp[1] }));
    }
    if (url.pathname.startsWith("/blob/") && req.method === "PUT") {
      const comp = url.searchParams.get("comp");
      if (comp === "block") blocks.set(url.searchParams.get("blockid") ?? "", data);
      else if (comp === "blocklist") {
        const ids = [...data.toString().matchAll(/<(?:Latest|Uncommitted|Committed)>([^<]*)</g)].map((m) => m[1]);
        committed = Buffer.concat(ids.map((id) => blocks.get(id) ?? Buffer.alloc(0)));
      } else committed = data; // a single Put Blob
      res.writeHead(201, { etag: '"stand-in"', "last-modified": new Date().toUTCString() });
      return res.end();
    }
    res.writeHead(404);
    res.end();
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as AddressInfo).port;
  const token = `${b64url({ alg: "none", typ: "JWT" })}.${b64url({
    scp: "Actions.GenericRead:00000000 Actions.Results:run-backend-id:job-backend-id",
  })}.stand-in`;
  return {
    env: { ACTIONS_RUNTIME_TOKEN: token, ACTIONS_RESULTS_URL: `http://127.0.0.1:${port}/` },
    calls,
    blob: () => committed,
    close: () => new Promise((r) => server.close(() => r())),
  };
}
