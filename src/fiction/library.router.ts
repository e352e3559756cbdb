import { Router } from "express";
import { describeRoute, validate } from "../http/validate";
import { principalOf, requireAuth } from "../http/auth";
import { recordAudit } from "../admin/audit";
import { etagMatches } from "./library.rules";
import { bookListQuerySchema, bookParamsSchema, chapterParamsSchema, createBookBodySchema, importChapterBodySchema } from "./library.schemas";
import * as library from "./library.service";
import { bookDetailResponse, bookPageResponse, bookResponse, chapterContentResponse, genresResponse, importedChapterResponse } from "./fiction.responses";

/**
 * Chapter content is the same for every reader until a new version is imported: CDNs and apps may
 * keep it this long and then revalidate with If-None-Match (a 304 costs no body).
 */
const CONTENT_MAX_AGE_SECONDS = 300;

/**
 * /api/v1/books — the public catalog (no token needed: it is what a CDN serves).
 * Lists answer `{ items, next_cursor }`.
 */
export function booksRouter(): Router {
  const r = Router();
  r.get("/", validate({ query: bookListQuerySchema, response: bookPageResponse, summary: "The published catalog (filter by genre or tag; newest or most read)" }), async (req, res) => {
    res.json(await library.listBooks(res.locals.valid.query));
  });
  // before "/:id" so "genres" is never read as an id
  r.get("/genres", describeRoute({ response: genresResponse, summary: "Genres with their published book counts" }), async (_req, res) => {
    res.json({ items: await library.listGenres() });
  });
  r.get("/:id", validate({ params: bookParamsSchema, response: bookDetailResponse, summary: "One published book with its chapter list" }), async (req, res) => {
    res.json(await library.getBook(res.locals.valid.params.id));
  });
  r.get("/:id/chapters/:n/content", validate({ params: chapterParamsSchema, response: chapterContentResponse, status: [200, 304], summary: "A chapter's content (ETag; 304 when If-None-Match still matches)" }), async (req, res) => {
    const { body, etag } = await library.chapterContent(res.locals.valid.params.id, res.locals.valid.params.n);
    res.setHeader("ETag", etag);
    res.setHeader("Cache-Control", `public, max-age=${CONTENT_MAX_AGE_SECONDS}`);
    if (etagMatches(req.get("if-none-match"), etag)) {
      res.status(304).end();
      return;
    }
    res.type("application/json").send(body);
  });
  return r;
}

/** /api/v1/admin/books — content import, admin role only. Invalid content: 400 `invalid_content` listing every problem. */
export function fictionAdminRouter(): Router {
  const r = Router();
  r.use(requireAuth("admin"));
  r.post("/", validate({ body: createBookBodySchema, example: { title: "Night Shift", description: "A hospital romance.", genre: "romance", tags: ["drama"] }, response: bookResponse, status: 201, summary: "Create a book (unpublished until its first chapter)" }), async (req, res) => {
    const book = await library.createBook(res.locals.valid.body);
    await recordAudit({ actorId: principalOf(req).userId, action: "fiction.book_create", targetType: "book", targetId: book.id, details: { title: book.title } });
    res.status(201).json(book);
  });
  r.post("/:id/chapters", validate({ params: bookParamsSchema, body: importChapterBodySchema, example: { format: "native", number: 1, content: { title: "Arrival", startSceneId: "intro", scenes: { intro: { timeline: [{ character: "Ava", text: "You're late." }], end: true } } } }, response: importedChapterResponse, status: 201, summary: "Import a chapter (native JSON or Ink); 400 `invalid_content` lists every problem" }), async (req, res) => {
    res.status(201).json(await library.importChapter(res.locals.valid.params.id, res.locals.valid.body, principalOf(req).userId));
  });
  return r;
}
