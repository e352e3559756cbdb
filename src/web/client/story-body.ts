/**
 * The POST /stories body the post form sends (README "Story body"): pure, so it is unit-tested
 * without a browser (test/web/story-body.test.ts).
 */

/** What POST /media answers (the media API, README "Media"): the story refers to it by `media_id`. */
export interface Media {
  media_id: string;
  kind: "image" | "video";
}

export interface PostForm {
  text: string;
  color: string;
  privacy: string;
  imageUrl: string;
  media?: Media;
  question: string;
  options: string[];
}

export function storyBody(f: PostForm): Record<string, unknown> {
  const options = f.options.map((o) => o.trim()).filter(Boolean);
  const stickers = f.question.trim() ? [{ sticker_type: "poll", x: 0.5, y: 0.7, width: 0.8, height: 0.3, poll: { question: f.question.trim(), options: options.map((text) => ({ text })) } }] : [];
  const base = { privacy: f.privacy, stickers };
  if (f.media) return { ...base, story_type: f.media.kind, media_id: f.media.media_id, ...(f.text.trim() ? { caption: f.text.trim() } : {}) };
  if (f.imageUrl.trim()) return { ...base, story_type: "image", media_url: f.imageUrl.trim(), ...(f.text.trim() ? { caption: f.text.trim() } : {}) };
  return { ...base, story_type: "text", text_content: f.text.trim(), background_color: f.color };
}

