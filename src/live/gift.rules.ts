import { z } from "zod";
import { cleanText } from "./chat.rules";
import { liveErrors } from "./live.errors";

/**
 * Gifts and command gifts on plain data: the split between creator and platform, the velocity
 * limits, and the whitelisted commands a gift may trigger with their server-side validation.
 */

export const GIFT_RARITIES = ["common", "rare", "epic", "legendary"] as const;
export const COMMAND_ACTIONS = ["overlay", "start_poll", "spin_wheel", "sound"] as const;
export type CommandAction = (typeof COMMAND_ACTIONS)[number];

/** What the catalog says a command gift does (the client only adds a text or a poll). */
export interface CatalogCommand {
  action: CommandAction;
  /** spin_wheel: the outcomes; sound: the sound key */
  outcomes?: string[];
  sound_key?: string;
  poll_duration_s?: number;
}

export interface CatalogGift {
  code: string;
  name: string;
  token_cost: number;
  animation_key: string;
  rarity: (typeof GIFT_RARITIES)[number];
  command?: CatalogCommand;
}

/** How many of one gift a single send may carry (a combo); the price is cost × quantity. */
export const MAX_GIFT_QUANTITY = 99;
export const OVERLAY_TEXT_MAX = 80;

/** The creator's share rounds down; the platform keeps the rest, so the two always sum to the price. */
export function splitGift(tokens: number, platformSharePercent: number): { creator: number; platform: number } {
  const platform = Math.ceil((tokens * platformSharePercent) / 100);
  return { creator: tokens - platform, platform };
}

/** The client's part of a command: a text for an overlay, the question and options for a poll. */
export const commandInputSchema = z
  .object({
    text: z.string().max(200).optional(),
    question: z.string().min(1).max(140).optional(),
    options: z.array(z.string().min(1).max(60)).min(2).max(5).optional(),
  })
  .strict();
export type CommandInput = z.infer<typeof commandInputSchema>;

export type CommandPayload =
  | { action: "overlay"; animation_key: string; text: string }
  | { action: "start_poll"; question: string; options: string[]; duration_s: number }
  | { action: "spin_wheel"; outcome: string; outcomes: string[] }
  | { action: "sound"; sound_key: string };

/** Overlay text: plain text only (no markup), control characters out, bounded. */
export function sanitizeOverlayText(text: string): string {
  return cleanText(text.replace(/[<>&"'`]/g, "")).slice(0, OVERLAY_TEXT_MAX);
}

/**
 * The action a command gift performs, validated on the server: the catalog decides the action and
 * its options; the client may only add the overlay text or the poll's question and options.
 * `random` picks the wheel's outcome (injected for tests).
 */
export function resolveCommand(gift: CatalogGift, input: CommandInput | undefined, random: () => number): CommandPayload {
  const cmd = gift.command;
  if (!cmd) throw liveErrors.notACommandGift(gift.code);
  switch (cmd.action) {
    case "overlay":
      return { action: "overlay", animation_key: gift.animation_key, text: sanitizeOverlayText(input?.text ?? "") };
    case "start_poll": {
      if (!input?.question || !input.options) throw liveErrors.pollRequired();
      const options = input.options.map(cleanText);
      if (options.some((o) => o.length === 0) || new Set(options).size !== options.length) throw liveErrors.invalidPoll("Poll options must be distinct and not empty.");
      return { action: "start_poll", question: cleanText(input.question), options, duration_s: cmd.poll_duration_s ?? 60 };
    }
    case "spin_wheel": {
      const outcomes = cmd.outcomes ?? [];
      if (outcomes.length === 0) throw liveErrors.invalidCommand();
      return { action: "spin_wheel", outcome: outcomes[Math.min(outcomes.length - 1, Math.floor(random() * outcomes.length))]!, outcomes };
    }
    case "sound":
      return { action: "sound", sound_key: cmd.sound_key ?? gift.animation_key };
  }
}

/** A creator's command settings: commands off, or at most one per cooldown. */
export function assertCommandAllowed(settings: { commands_enabled: boolean; command_cooldown_s: number }, lastCommandAt: Date | null, now: Date): void {
  if (!settings.commands_enabled) throw liveErrors.commandsDisabled();
  if (lastCommandAt && settings.command_cooldown_s > 0) {
    const wait = lastCommandAt.getTime() + settings.command_cooldown_s * 1000 - now.getTime();
    if (wait > 0) throw liveErrors.commandCooldown(Math.ceil(wait / 1000));
  }
}

export interface VelocityLimits {
  giftsPerMinute: number;
  dailySpendCap: number;
}

/** A sender's recent activity: gifts in the last minute, tokens spent today (UTC). */
export interface SenderActivity {
  giftsLastMinute: number;
  spentToday: number;
}

/** Refuse a burst: too many gifts a minute (`gift_rate_exceeded`) or past the daily cap (`daily_spend_cap`). */
export interface VelocityRefusal {
  code: "gift_rate_exceeded" | "daily_spend_cap";
  message: string;
}

export function velocityRefusal(activity: SenderActivity, tokens: number, limits: VelocityLimits): VelocityRefusal | null {
  if (activity.giftsLastMinute >= limits.giftsPerMinute) return { code: "gift_rate_exceeded", message: `At most ${limits.giftsPerMinute} gifts a minute.` };
  if (activity.spentToday + tokens > limits.dailySpendCap) return { code: "daily_spend_cap", message: `At most ${limits.dailySpendCap} tokens of gifts a day.` };
  return null;
}

export function startOfUtcDay(now: Date): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
}
