import assert from "node:assert/strict";
import http from "node:http";
import { Readable } from "node:stream";
import { resetState, testServer, TEST_PORT } from "../support/server";
import { MATCHMAKE_BODY_LIMIT } from "../../src/realtime/matchmake-guard";

const MB = 1024 * 1024;

interface Outcome {
  status: number;
  body: string;
  /** bytes the client had handed to the socket when the answer arrived */
  writtenAtResponse: number;
}

/**
 * POST a body of `total` bytes to /matchmake/joinOrCreate/story, generated lazily 64 kB at a time
 * (the client never holds it), with or without a Content-Length. Resolves with the answer.
 */
function postStreamed(total: number, opts: { declareLength: boolean; token?: string }): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    let written = 0;
    const chunk = Buffer.alloc(64 * 1024, 0x20); // JSON whitespace: the body stays "valid" to the end
    const source = Readable.from(
      (function* () {
        yield Buffer.from('{"authorId":"6b0f0d659386aeee5b2ce7fe","pad":"');
        while (written < total) {
          written += chunk.length;
          yield chunk;
        }
        yield Buffer.from('"}');
      })(),
    );
    const headers: Record<string, string | number> = { "content-type": "application/json" };
    if (opts.declareLength) headers["content-length"] = total + 49;
    if (opts.token) headers.authorization = `Bearer ${opts.token}`;
    const req = http.request({ host: "127.0.0.1", port: TEST_PORT, method: "POST", path: "/matchmake/joinOrCreate/story", headers, agent: false });
    req.on("response", (res) => {
      const writtenAtResponse = written;
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (d) => (body += d));
      res.on("end", () => {
        source.destroy();
        resolve({ status: res.statusCode ?? 0, body, writtenAtResponse });
      });
    });
    req.on("error", (err) => {
      // the server closes the connection after answering; a write after that fails, which is expected
      if (!(err as NodeJS.ErrnoException).code?.match(/EPIPE|ECONNRESET/)) reject(err);
    });
    source.pipe(req);
  });
}

describe("matchmaking: request bodies are capped before they are buffered", () => {
  before(testServer);
  beforeEach(resetState);

  it("refuses three parallel 150 MB bodies with a Content-Length at once: 413, before the bodies are sent, memory flat", async () => {
    global.gc?.();
    const rssBefore = process.memoryUsage().rss;
    const outcomes = await Promise.all([1, 2, 3].map(() => postStreamed(150 * MB, { declareLength: true })));
    const grownMb = (process.memoryUsage().rss - rssBefore) / MB;
    for (const o of outcomes) {
      assert.equal(o.status, 413);
      assert.match(JSON.parse(o.body).error, /payload_too_large/);
      assert.ok(o.writtenAtResponse < 16 * MB, `answered after ${o.writtenAtResponse / MB} MB were written`);
    }
    assert.ok(grownMb < 100, `RSS grew ${grownMb.toFixed(1)} MB`);
  });

  it("refuses a chunked body (no Content-Length) as soon as it passes the cap", async () => {
    const rssBefore = process.memoryUsage().rss;
    const o = await postStreamed(150 * MB, { declareLength: false });
    assert.equal(o.status, 413);
    assert.match(JSON.parse(o.body).error, /larger than 8192 bytes/);
    assert.ok(o.writtenAtResponse < 16 * MB, `answered after ${o.writtenAtResponse / MB} MB were written`);
    assert.ok((process.memoryUsage().rss - rssBefore) / MB < 100);
  });

  it("passes a body under the cap on to Colyseus (which then asks for a token)", async () => {
    const small = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const payload = JSON.stringify({ authorId: "6b0f0d659386aeee5b2ce7fe", pad: " ".repeat(MATCHMAKE_BODY_LIMIT - 100) });
      assert.ok(Buffer.byteLength(payload) <= MATCHMAKE_BODY_LIMIT);
      const req = http.request(
        { host: "127.0.0.1", port: TEST_PORT, method: "POST", path: "/matchmake/joinOrCreate/story", headers: { "content-type": "application/json" } },
        (res) => {
          let body = "";
          res.on("data", (d) => (body += d));
          res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
        },
      );
      req.on("error", reject);
      req.end(payload);
    });
    assert.equal(small.status, 525, small.body);
    assert.match(small.body, /missing_token/);
  });
});
