import { publicApi, ApiError } from "../api";
import { h, notice, replace } from "../dom";
import { saveSession, type Session } from "../session";
import { go, registerPage } from "../shell";

/** Sign in / sign up: POST /auth/login and /auth/register; the session lands in localStorage. */
function authForm(kind: "signin" | "signup"): HTMLFormElement {
  const status = h("div", { class: "status" });
  const username = h("input", { name: "username", autocomplete: "username", required: true, minLength: 3, maxLength: 30, pattern: "[A-Za-z0-9_.]{3,30}" });
  const password = h("input", { name: "password", type: "password", autocomplete: kind === "signin" ? "current-password" : "new-password", required: true, minLength: kind === "signin" ? 1 : 8 });
  const displayName = h("input", { name: "display_name", maxLength: 50 });
  const creator = h("input", { name: "creator", type: "checkbox", checked: true });
  const form = h(
    "form",
    { class: "card narrow", "data-testid": `${kind}-form` },
    h("h2", {}, kind === "signin" ? "Sign in" : "Create an account"),
    h("label", {}, "Username", username),
    h("label", {}, "Password", password),
    kind === "signup" && [h("label", {}, "Display name (optional)", displayName), h("label", { class: "inline" }, creator, "I post stories (creator)")],
    h("button", { type: "submit" }, kind === "signin" ? "Sign in" : "Sign up"),
    status,
  );
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    replace(status);
    try {
      const session =
        kind === "signin"
          ? await publicApi<Session>("POST", "/auth/login", { username: username.value, password: password.value })
          : await publicApi<Session>("POST", "/auth/register", {
              username: username.value,
              password: password.value,
              ...(displayName.value.trim() ? { display_name: displayName.value.trim() } : {}),
              roles: creator.checked ? ["viewer", "creator"] : ["viewer"],
            });
      saveSession(session);
      go("/reel");
    } catch (err) {
      replace(status, notice(err instanceof ApiError ? `${err.message} (${err.code})` : "The server could not be reached.", "error"));
    }
  });
  return form;
}

registerPage({
  path: "/signin",
  title: "Sign in",
  public: true,
  nav: false,
  render(root) {
    root.append(h("div", { class: "auth" }, authForm("signin"), authForm("signup")));
  },
});
