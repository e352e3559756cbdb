// Shared boot for the embedded store's tests: each file gets its own in-memory store and driver client.
import { MongoClient, type Db } from "mongodb";
import { startEmbeddedMongo, type EmbeddedMongo, type EmbeddedMongoOptions } from "../../src/embedded-mongo";

export interface StoreHandle {
  store: EmbeddedMongo;
  client: MongoClient;
  db: Db;
}

export function useStore(opts: EmbeddedMongoOptions = {}): StoreHandle {
  const h = {} as StoreHandle;
  before(async () => {
    h.store = await startEmbeddedMongo({ port: 0, ...opts });
    h.client = await MongoClient.connect(h.store.uri);
  });
  beforeEach(async () => {
    h.db = h.client.db(`t${Math.random().toString(36).slice(2, 10)}`);
  });
  after(async () => {
    await h.client?.close();
    await h.store?.stop();
  });
  return h;
}

export async function expectReject(p: Promise<unknown>): Promise<Record<string, any>> {
  try {
    await p;
  } catch (e) {
    return e as Record<string, any>;
  }
  throw new Error("expected rejection");
}
