import { api, ApiError } from "../api";
import { h, notice, replace } from "../dom";
import { go, registerPage } from "../shell";
import { storyBody, type Media } from "../story-body";

/**
 * Post a story (POST /stories): text on a colour, or a picture with the text as caption — an
 * uploaded file (POST /media, multipart, when the server has the media API) or a URL — plus an
 * optional poll sticker.
 */
const PRIVACY = [
  ["followers", "Followers"],
  ["public", "Everyone"],
  ["close_friends", "Close friends"],
] as const;

function field(label: string, input: HTMLElement): HTMLElement {
  return h("label", {}, label, input);
}

async function uploadPicture(file: File): Promise<Media> {
  const form = new FormData();
  form.append("file", file);
  try {
    return await api<Media>("POST", "/media", form);
  } catch (err) {
    if (err instanceof ApiError && err.code === "route_not_found") throw new ApiError(404, "media_unavailable", "This server has no upload API (POST /api/v1/media): give a picture URL instead.");
    throw err;
  }
}

registerPage({
  path: "/post",
  title: "Post",
  render(root) {
    const text = h("textarea", { name: "text", rows: 3, maxLength: 1000, placeholder: "What's happening?" });
    const color = h("input", { name: "color", type: "color", value: "#6c4bd8" });
    const privacy = h("select", { name: "privacy" }, PRIVACY.map(([v, label]) => h("option", { value: v }, label)));
    const imageUrl = h("input", { name: "image_url", type: "url", placeholder: "https://… (optional picture)" });
    const file = h("input", { name: "picture", type: "file", accept: "image/jpeg,image/png,image/webp,video/mp4,video/quicktime" });
    const question = h("input", { name: "poll_question", maxLength: 120, placeholder: "Ask something (optional)" });
    const options = [0, 1, 2, 3].map((i) => h("input", { name: `poll_option_${i}`, maxLength: 40, placeholder: i < 2 ? `Option ${i + 1}` : `Option ${i + 1} (optional)` }));
    const status = h("div", { class: "status" });
    const form = h(
      "form",
      { class: "card", "data-testid": "post-form" },
      h("h2", {}, "New story"),
      field("Text", text),
      h("div", { class: "row" }, field("Background", color), field("Who sees it", privacy)),
      h("div", { class: "row" }, field("Picture or video file", file), field("…or a picture URL", imageUrl)),
      h("fieldset", {}, h("legend", {}, "Poll sticker"), field("Question", question), h("div", { class: "row" }, options)),
      h("button", { type: "submit" }, "Post story"),
      status,
    );
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      try {
        const picked = file.files?.[0];
        const media = picked ? await uploadPicture(picked) : undefined;
        const body = storyBody({ text: text.value, color: color.value, privacy: privacy.value, imageUrl: imageUrl.value, media, question: question.value, options: options.map((o) => o.value) });
        const story = await api<{ id: string }>("POST", "/stories", body);
        go(`/dashboard?story=${story.id}`);
      } catch (err) {
        replace(status, notice(err instanceof ApiError ? `${err.message} (${err.code})` : String(err), "error"));
      }
    });
    root.append(form);
  },
});
