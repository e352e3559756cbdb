import type { CatalogGift } from "./gift.rules";

/**
 * The gift catalog as data, written to the `gifts` collection by `npm run seed` (never at boot: an
 * operator's price change in the database is not overwritten by a restart). Codes are stable ids.
 */
export const GIFT_CATALOG: readonly CatalogGift[] = [
  { code: "heart", name: "Heart", token_cost: 1, animation_key: "heart_float", rarity: "common" },
  { code: "rose", name: "Rose", token_cost: 5, animation_key: "rose_spin", rarity: "common" },
  { code: "star", name: "Star", token_cost: 10, animation_key: "star_burst", rarity: "common" },
  { code: "rocket", name: "Rocket", token_cost: 100, animation_key: "rocket_launch", rarity: "epic" },
  { code: "crown", name: "Crown", token_cost: 500, animation_key: "crown_drop", rarity: "legendary" },
  { code: "shoutout", name: "Shout-out", token_cost: 20, animation_key: "banner_shout", rarity: "rare", command: { action: "overlay" } },
  { code: "airhorn", name: "Air horn", token_cost: 15, animation_key: "airhorn", rarity: "rare", command: { action: "sound", sound_key: "airhorn" } },
  {
    code: "wheel",
    name: "Wheel of fortune",
    token_cost: 50,
    animation_key: "wheel_spin",
    rarity: "epic",
    command: { action: "spin_wheel", outcomes: ["sing a song", "10 push-ups", "answer a question", "dance", "shout-out"] },
  },
  { code: "poll_starter", name: "Audience poll", token_cost: 30, animation_key: "poll_pop", rarity: "rare", command: { action: "start_poll", poll_duration_s: 60 } },
];
