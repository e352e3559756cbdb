import { ArraySchema, MapSchema, Schema, type } from "@colyseus/schema";
import type { PlayView } from "../src/fiction/playthrough.service";

/**
 * State of the `playthrough` room: one player's play of one book (every device of that player
 * shares it). Written only by `writePlayView`, from the playthrough service's view, in place, so a
 * patch carries what changed. Dates are epoch milliseconds (0: none).
 */

export class LineState extends Schema {
  /** Empty for narration. */
  @type("string") character = "";
  @type("string") text = "";
  @type("string") expression = "";
}

export class OptionState extends Schema {
  @type("string") id = "";
  @type("string") text = "";
  /** Diamonds this player pays now (0: free, or already paid for). */
  @type("number") cost = 0;
  @type("boolean") affordable = true;
}

export class PlaythroughState extends Schema {
  @type("string") bookId = "";
  @type("number") chapterCount = 0;
  /** "none" | "story" | "replay" */
  @type("string") mode = "none";
  /** 0 before any chapter started. */
  @type("number") chapter = 0;
  /** Choices made in this run: send it with `choose` to make a retry safe. */
  @type("number") step = 0;

  @type("string") sceneId = "";
  @type("string") background = "";
  @type("string") music = "";
  /** Timeline position and length; `current` is the line at that position. */
  @type("number") line = 0;
  @type("number") lineCount = 0;
  @type(LineState) current = new LineState();
  @type("string") prompt = "";
  /** Only the options available to this player now. */
  @type([OptionState]) options = new ArraySchema<OptionState>();
  @type("boolean") ended = false;
  @type("boolean") awaitingKeep = false;

  @type({ map: "number" }) relationships = new MapSchema<number>();
  @type({ map: "boolean" }) flags = new MapSchema<boolean>();
  @type(["string"]) outfits = new ArraySchema<string>();
  @type(["number"]) completedChapters = new ArraySchema<number>();

  @type("number") keys = 0;
  @type("number") keyCap = 0;
  /** When the next key regenerates (0: at the cap). */
  @type("number") nextKeyAt = 0;
  @type("number") diamonds = 0;
}

function setIfChanged<T extends Schema, K extends keyof T>(target: T, key: K, value: T[K]): void {
  if (target[key] !== value) target[key] = value;
}

function writeMap<V>(target: MapSchema<V>, source: Record<string, V>): void {
  for (const k of [...target.keys()]) if (!(k in source)) target.delete(k);
  for (const [k, v] of Object.entries(source)) if (target.get(k) !== v) target.set(k, v);
}

function writeList<V>(target: ArraySchema<V>, source: V[]): void {
  if (target.length === source.length && source.every((v, i) => target.at(i) === v)) return;
  target.clear();
  target.push(...source);
}

/** The service's view (snake_case) → the room state (camelCase), in place. */
export function writePlayView(state: PlaythroughState, v: PlayView): void {
  setIfChanged(state, "bookId", v.book_id);
  setIfChanged(state, "chapterCount", v.chapter_count);
  setIfChanged(state, "mode", v.mode);
  setIfChanged(state, "chapter", v.chapter ?? 0);
  setIfChanged(state, "step", v.step);
  setIfChanged(state, "sceneId", v.scene?.id ?? "");
  setIfChanged(state, "background", v.scene?.background ?? "");
  setIfChanged(state, "music", v.scene?.music ?? "");
  setIfChanged(state, "line", v.scene?.line ?? 0);
  setIfChanged(state, "lineCount", v.scene?.line_count ?? 0);
  const current = v.scene?.current;
  setIfChanged(state.current, "character", current?.character ?? "");
  setIfChanged(state.current, "text", current?.text ?? "");
  setIfChanged(state.current, "expression", current?.expression ?? "");
  setIfChanged(state, "prompt", v.prompt);
  const sameOptions =
    state.options.length === v.options.length &&
    v.options.every((o, i) => {
      const s = state.options.at(i);
      return s && s.id === o.id && s.text === o.text && s.cost === o.cost && s.affordable === o.affordable;
    });
  if (!sameOptions) {
    state.options.clear();
    for (const o of v.options) state.options.push(new OptionState().assign({ id: o.id, text: o.text, cost: o.cost, affordable: o.affordable }));
  }
  setIfChanged(state, "ended", v.ended);
  setIfChanged(state, "awaitingKeep", v.awaiting_keep);
  writeMap(state.relationships, v.stats.relationships);
  writeMap(state.flags, v.stats.flags);
  writeList(state.outfits, v.stats.outfits);
  writeList(state.completedChapters, v.completed_chapters);
  setIfChanged(state, "keys", v.wallet.keys);
  setIfChanged(state, "keyCap", v.wallet.key_cap);
  setIfChanged(state, "nextKeyAt", v.wallet.next_key_at ? Date.parse(v.wallet.next_key_at) : 0);
  setIfChanged(state, "diamonds", v.wallet.diamonds);
}
