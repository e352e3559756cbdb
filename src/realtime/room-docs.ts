import type { RegisteredHandler } from "@colyseus/core";
import { z } from "zod";
import { docsOf } from "../http/route-catalogue";

/**
 * The rooms' documentation, generated from the room registry: join options (a room's static
 * `joinOptions` schema), messages in (the schemas its `roomMessages` map validates with), messages
 * out (its static `messagesOut`) and state fields (the @colyseus/schema metadata of its state).
 * Published as `x-rooms` in the OpenAPI document and listed on /docs.
 */
export interface RoomDocs {
  name: string;
  filterBy: string[];
  joinOptions?: unknown;
  messagesIn: Record<string, unknown>;
  messagesOut: Record<string, string>;
  state: StateDoc | undefined;
  /** Why the room has no state or takes no messages, when it declares so (a listen-only room). */
  notes?: { state?: string; messagesIn?: string };
}

export interface StateDoc {
  type: string;
  fields: Record<string, { type: string; view?: number } & Partial<{ item: StateDoc | string }>>;
}

/** What a room class may declare for its documentation. */
export interface DocumentedRoom {
  joinOptions?: z.ZodType;
  messagesOut?: Record<string, string>;
  stateClass?: Function;
  /** A room with no state or no messages in says why (documented, so the gap is deliberate). */
  without?: { state?: string; messagesIn?: string };
}

interface FieldMeta {
  name: string;
  type: unknown;
  tag?: number;
}

function typeName(t: unknown, seen: Set<Function>): { type: string; item?: StateDoc | string } {
  if (typeof t === "string") return { type: t };
  if (typeof t === "function") return { type: "object", item: stateDocOf(t, seen) ?? t.name };
  if (t && typeof t === "object") {
    const [kind, inner] = Object.entries(t)[0] ?? ["unknown", undefined];
    const item = typeName(inner, seen);
    return { type: kind, item: item.item ?? item.type };
  }
  return { type: "unknown" };
}

export function stateDocOf(klass: Function | undefined, seen = new Set<Function>()): StateDoc | undefined {
  if (!klass || seen.has(klass)) return klass ? { type: klass.name, fields: {} } : undefined;
  seen.add(klass);
  const meta = (klass as unknown as Record<symbol, Record<string, FieldMeta> | undefined>)[Symbol.metadata];
  if (!meta) return undefined;
  const fields: StateDoc["fields"] = {};
  for (const key of Object.keys(meta)) {
    if (!/^\d+$/.test(key)) continue;
    const f = meta[key]!;
    fields[f.name] = { ...typeName(f.type, seen), ...(f.tag !== undefined && f.tag >= 0 ? { view: f.tag } : {}) };
  }
  seen.delete(klass);
  return { type: klass.name, fields };
}

const jsonSchema = (s: z.ZodType) => z.toJSONSchema(s, { io: "input", unrepresentable: "any" });

export function describeRooms(registry: Record<string, RegisteredHandler>): RoomDocs[] {
  return Object.entries(registry).map(([name, handler]) => {
    const klass = handler.klass as unknown as DocumentedRoom & (new () => { messages?: Record<string, Function> });
    const messagesIn: Record<string, unknown> = {};
    // rooms build their messages map in a field initializer; an instance that never joins a server is inert
    for (const [type, fn] of Object.entries(new klass().messages ?? {})) {
      const schema = docsOf<{ message: { schema: z.ZodType } }>([fn]).message?.schema;
      if (schema) messagesIn[type] = jsonSchema(schema);
    }
    return {
      name,
      filterBy: (handler.filterOptions ?? []).map(String),
      ...(klass.joinOptions ? { joinOptions: jsonSchema(klass.joinOptions) } : {}),
      messagesIn,
      messagesOut: { error: "`{ type, code, message, details? }` when a message is refused or unreadable", ...(klass.messagesOut ?? {}) },
      state: stateDocOf(klass.stateClass),
      ...(klass.without ? { notes: klass.without } : {}),
    };
  });
}
