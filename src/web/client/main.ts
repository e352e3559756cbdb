import { startShell } from "./shell";
// each page registers itself with the shell; a new feature adds its page module here
import "./pages/auth.page";
import "./pages/reel.page";
import "./pages/post.page";
import "./pages/dashboard.page";
import "./pages/live.page";
import "./pages/fiction.page";

startShell();
