import { Schema, model } from "mongoose";

/**
 * Highlights: permanent collections of a user's stories (plain shape: `HighlightDoc` in
 * highlight.rules.ts). Field names follow the original service (`order_index`, `story_count`).
 * The collection name is a contract: the story sweeper asks `highlights` for `{story_ids: id}`
 * before hard-deleting a story, so a highlighted story is never purged.
 */
const coverSchema = new Schema(
  {
    story_id: { type: String, default: null },
    media_url: { type: String, default: null },
    emoji: { type: String, default: null },
    color: { type: String, default: null },
  },
  { _id: false },
);

const highlightSchema = new Schema(
  {
    user_id: { type: String, required: true },
    title: { type: String, required: true },
    description: { type: String, default: null },
    cover: { type: coverSchema, required: true },
    /** playback order */
    story_ids: { type: [String], default: [] },
    story_count: { type: Number, default: 0 },
    is_archived: { type: Boolean, default: false },
    is_pinned: { type: Boolean, default: false },
    /** position on the profile, ascending; pinned ones first */
    order_index: { type: Number, required: true },
    created_at: { type: Date, required: true },
    updated_at: { type: Date, required: true },
  },
  { collection: "highlights", versionKey: false, minimize: false },
);
// a profile's highlights (GET /highlights/user/:id), and the owner's set for create caps and reorder
highlightSchema.index({ user_id: 1, order_index: 1 });
// the sweeper's "is this story in any highlight?" (multikey on story_ids)
highlightSchema.index({ story_ids: 1 });

export const HighlightModel = model("Highlight", highlightSchema);
