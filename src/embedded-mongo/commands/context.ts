/** What every command handler receives. */
import type { Document } from "bson";
import type { JournalRecord } from "../journal.types";
import type { Engine } from "../engine/engine";
import type { Session, Txn } from "../engine/transactions";
import type { CursorStore } from "./cursors";

export interface ServerInfo {
  host: string;
  port: number;
  startedAt: Date;
}

export interface CommandContext {
  engine: Engine;
  db: string;
  connectionId: number;
  cursors: CursorStore;
  server: ServerInfo;
  session?: Session;
  txn?: Txn;
  /** journal records produced by this command; appended as one batch before the reply */
  rec: JournalRecord[];
  /**
   * Hands the records gathered so far to the journal. Must run in the same synchronous step as the memory
   * change (before any await), so journal order equals memory order across concurrent commands.
   * A write's last flush passes its `reply`: a retryable write's record of it then joins the same batch,
   * so the write and the record that it executed are recovered together or not at all.
   */
  flush(reply?: Document): void;
}

export type Handler = (cmd: Document, ctx: CommandContext) => Document | Promise<Document>;
