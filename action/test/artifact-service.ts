// A stand-in for GitHub's artifact service on 127.0.0.1, speaking what @actions/artifact
// v6 speaks: a runtime token (a JWT whose `scp` names the run's and job's backend ids),
// Twirp JSON at ACTIONS_RESULTS_URL (CreateArtifact answers with a signed upload URL,
// FinalizeArtifact with the artifact's id), and the blob upload (Azure block blob:
// PUT ?comp=block per block, then PUT ?comp=blocklist) at that URL; and for downloads,
// ListArtifacts (optionally by id or name), GetSignedArtifactURL and a GET of the blob.
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";

export interface ArtifactService {
  env: Record<string, string>;
  /** the Twirp calls, in order, with their JSON bodies */
  calls: { method: string; body: Record<string, unknown> }[];
  /** the last committed blob: the zip of the report folder */
  blob(): Buffer;
  /** every artifact finalized, by name */
  artifacts: Map<string, { id: number; blob: Buffer }>;
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
  const blobs = new Map<string, Buffer>();
  const artifacts = new Map<string, { id: number; blob: Buffer }>();
  let nextId = artifactId;
  const backend = { workflow_run_backend_id: "run-backend-id", workflow_job_run_backend_id: "job-backend-id" };
  const signed = (name: string) => `http://127.0.0.1:${port}/blob/${encodeURIComponent(name)}.zip?sig=stand-in`;
  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const data = await body(req);
    const twirp = /^\/twirp\/github\.actions\.results\.api\.v1\.ArtifactService\/(\w+)$/.exec(url.pathname);
    if (twirp && req.method === "POST") {
      const json = JSON.parse(data.toString() || "{}");
      calls.push({ method: twirp[1], body: json });
      const listed = [...artifacts].filter(
        ([name, a]) =>
          (json.id_filter === undefined || String(a.id) === String(json.id_filter)) &&
          (json.name_filter === undefined || name === json.name_filter),
      );
      const finalize = () => {
        const id = nextId++;
        artifacts.set(json.name, { id, blob: blobs.get(json.name) ?? Buffer.alloc(0) });
        return { ok: true, artifactId: String(id) };
      };
      const reply =
        twirp[1] === "CreateArtifact"
          ? { ok: true, signedUploadUrl: signed(json.name) }
          : twirp[1] === "FinalizeArtifact"
            ? finalize()
            : twirp[1] === "ListArtifacts"
              ? {
                  artifacts: listed.map(([name, a]) => ({
                    ...backend,
                    database_id: String(a.id),
                    name,
                    size: String(a.blob.length),
                  })),
                }
              : twirp[1] === "GetSignedArtifactURL"
                ? { signed_url: signed(json.name) }
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
      blobs.set(decodeURIComponent(url.pathname.slice("/blob/".length).replace(/\.zip$/, "")), committed);
      res.writeHead(201, { etag: '"stand-in"', "last-modified": new Date().toUTCString() });
      return res.end();
    }
    const blob =
      url.pathname.startsWith("/blob/") &&
      req.method === "GET" &&
      blobs.get(decodeURIComponent(url.pathname.slice(6).replace(/\.zip$/, "")));
    if (blob) {
      res.writeHead(200, { "content-type": "application/zip", "content-length": blob.length });
      return res.end(blob);
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
    artifacts,
    blob: () => committed,
    close: () => new Promise((r) => server.close(() => r())),
  };
}
