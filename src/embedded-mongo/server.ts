/**
 * TCP front end: frames the byte stream, runs each connection's requests strictly in order (the driver
 * never pipelines on one connection, and replies must keep request order), and isolates bad clients — a
 * malformed frame closes only that socket.
 */
import net from "node:net";
import type { Document } from "bson";
import { CursorStore } from "./commands/cursors";
import type { ServerInfo } from "./commands/context";
import { CLOSE_CONNECTION, forgetConnection } from "./commands/failpoints";
import { dispatch, type DispatchEnv, type Logger } from "./dispatch";
import type { Engine } from "./engine/engine";
import { MongoServerError } from "./engine/errors";
import { encodeMsgReply, encodeOpReply, FrameError, HEADER_SIZE, MAX_MESSAGE_SIZE, parseMessage, readHeader, type Request } from "./wire";

export class WireServer {
  private readonly server: net.Server;
  private readonly sockets = new Set<net.Socket>();
  private nextConnectionId = 1;
  readonly cursors = new CursorStore();
  readonly env: DispatchEnv;

  constructor(
    readonly engine: Engine,
    readonly info: ServerInfo,
    private readonly logger: Logger,
    afterAppend?: () => void,
  ) {
    this.env = { engine, cursors: this.cursors, server: info, logger, afterAppend };
    this.server = net.createServer((s) => this.accept(s));
  }

  listen(port: number, host: string): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen(port, host, () => {
        this.server.off("error", reject);
        const addr = this.server.address() as net.AddressInfo;
        this.info.port = addr.port;
        resolve(addr.port);
      });
    });
  }

  async close(): Promise<void> {
    const closed = new Promise<void>((r) => this.server.close(() => r()));
    for (const s of this.sockets) s.destroy();
    await closed;
  }

  private accept(socket: net.Socket): void {
    const connectionId = this.nextConnectionId++;
    this.sockets.add(socket);
    socket.setNoDelay(true);
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    /** frames waiting while an earlier one on this connection awaits the journal or a lock */
    const queued: Buffer[] = [];
    let busy = false;
    let dead = false;

    const kill = (why: string): void => {
      if (dead) return;
      dead = true;
      this.logger.warn(`closing connection ${connectionId}: ${why}`);
      socket.destroy();
    };
    // runs frames in order: synchronously while replies are ready at once, queueing behind one that is not
    const run = (frame: Buffer): void => {
      let next: Buffer | undefined = frame;
      while (next && !dead) {
        let out: void | Promise<void>;
        try {
          out = this.handleFrame(socket, next, connectionId);
        } catch (e) {
          return kill(String((e as Error)?.message ?? e));
        }
        if (out instanceof Promise) {
          busy = true;
          out.then(
            () => {
              busy = false;
              const q = queued.shift();
              if (q) run(q);
            },
            (e) => kill(String(e?.message ?? e)),
          );
          return;
        }
        next = queued.shift();
      }
    };

    socket.on("data", (chunk: Buffer) => {
      if (dead) return;
      pending.push(chunk);
      pendingBytes += chunk.length;
      let frames = 0;
      while (pendingBytes >= HEADER_SIZE) {
        let buf = pending.length === 1 ? pending[0] : Buffer.concat(pending, pendingBytes);
        pending = [buf];
        const length = buf.readInt32LE(0);
        if (length < HEADER_SIZE || length > MAX_MESSAGE_SIZE) return kill(`invalid message length ${length}`);
        if (pendingBytes < length) break;
        const frame = buf.subarray(0, length);
        buf = buf.subarray(length);
        pending = buf.length ? [buf] : [];
        pendingBytes = buf.length;
        // several frames in one chunk (moreToCome streams, pipelining clients): coalesce their replies into one send
        if (++frames === 2) socket.cork();
        if (busy) queued.push(frame);
        else run(frame);
      }
      if (frames >= 2) socket.uncork();
    });
    socket.on("error", () => {
      /* peer resets are routine; the close handler cleans up */
    });
    socket.on("close", () => {
      dead = true;
      this.sockets.delete(socket);
      forgetConnection(this.env.engine, connectionId);
    });
  }

  /** Answers one frame; returns a promise only when the command has to wait (journal, transaction lock). */
  private handleFrame(socket: net.Socket, frame: Buffer, connectionId: number): void | Promise<void> {
    if (socket.destroyed) return;
    let req: Request;
    try {
      req = parseMessage(frame);
    } catch (e) {
      if (e instanceof FrameError) throw e;
      const err = e instanceof MongoServerError ? e : new MongoServerError("InvalidBSON", String((e as Error)?.message ?? e));
      const header = readHeader(frame);
      const reply = err.toReply();
      socket.write(header.opCode === 2004 ? encodeOpReply(header.requestId, reply) : encodeMsgReply(header.requestId, reply));
      return;
    }
    let reply: Document | Promise<Document>;
    try {
      reply = dispatch(this.env, req.db, req.command, connectionId);
    } catch (e) {
      reply = this.internalError(e);
    }
    if (reply instanceof Promise) {
      return reply.then(
        (r) => this.respond(socket, req, r),
        (e) => this.respond(socket, req, this.internalError(e)),
      );
    }
    this.respond(socket, req, reply);
  }

  private internalError(e: unknown): Document {
    this.logger.error("dispatch failed", e);
    return new MongoServerError("InternalError", String((e as Error)?.message ?? e)).toReply();
  }

  private respond(socket: net.Socket, req: Request, reply: Document): void {
    // the failCommand fail point asked to drop the connection instead of answering
    if (reply === CLOSE_CONNECTION) return void socket.destroy();
    if (req.moreToCome || socket.destroyed) return;
    let out: Buffer;
    try {
      out = req.kind === "query" ? encodeOpReply(req.header.requestId, reply) : encodeMsgReply(req.header.requestId, reply);
    } catch (e) {
      const err = new MongoServerError("InternalError", `reply could not be encoded: ${(e as Error).message}`);
      out = encodeMsgReply(req.header.requestId, err.toReply());
    }
    socket.write(out);
  }
}
