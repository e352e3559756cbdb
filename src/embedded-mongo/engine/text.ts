/**
 * Text indexes and `$text` (MongoDB's text index version 3, for English and "none"): one text index per
 * collection over one or more string fields (or "$**") with weights; terms are lowercased, stripped of
 * diacritics, split on non-letters, and for English stop words are dropped and words reduced by the
 * Porter stemmer's first step (plurals, -ed/-ing, -y). Scores follow mongod's formula: per field and term,
 * weight × (Σ 1/2^k over the term's occurrences) × (0.5 + 0.5 × occurrences / tokens) (× 1.1 when the
 * stem equals the word), summed over the query's positive terms.
 *
 * A `$search` string holds terms (any may match), "quoted phrases" (all must appear), and -negations
 * (none may appear).
 */
import type { Document } from "bson";
import { fail, MongoServerError } from "./errors";
import { isPlainObject } from "./types";

export const TEXT_INDEX_VERSION = 3;
const LANGUAGES = new Set(["english", "en", "none"]);

// prettier-ignore
const ENGLISH_STOP_WORDS = new Set([
  "a", "about", "above", "after", "again", "against", "all", "am", "an", "and", "any", "are", "aren't", "as", "at", "be",
  "because", "been", "before", "being", "below", "between", "both", "but", "by", "can", "can't", "cannot", "could",
  "couldn't", "did", "didn't", "do", "does", "doesn't", "doing", "don't", "down", "during", "each", "few", "for", "from",
  "further", "had", "hadn't", "has", "hasn't", "have", "haven't", "having", "he", "he'd", "he'll", "he's", "her", "here",
  "here's", "hers", "herself", "him", "himself", "his", "how", "how's", "i", "i'd", "i'll", "i'm", "i've", "if", "in",
  "into", "is", "isn't", "it", "it's", "its", "itself", "let's", "me", "more", "most", "mustn't", "my", "myself", "no",
  "nor", "not", "of", "off", "on", "once", "only", "or", "other", "ought", "our", "ours", "ourselves", "out", "over",
  "own", "same", "shan't", "she", "she'd", "she'll", "she's", "should", "shouldn't", "so", "some", "such", "than", "that",
  "that's", "the", "their", "theirs", "them", "themselves", "then", "there", "there's", "these", "they", "they'd",
  "they'll", "they're", "they've", "this", "those", "through", "to", "too", "under", "until", "up", "very", "was",
  "wasn't", "we", "we'd", "we'll", "we're", "we've", "were", "weren't", "what", "what's", "when", "when's", "where",
  "where's", "which", "while", "who", "who's", "whom", "why", "why's", "with", "won't", "would", "wouldn't", "you",
  "you'd", "you'll", "you're", "you've", "your", "yours", "yourself", "yourselves",
]);

export type TextLanguage = "english" | "none";

function languageOf(raw: unknown, what: string): TextLanguage {
  if (raw === undefined) return "english";
  if (typeof raw !== "string" || !LANGUAGES.has(raw.toLowerCase())) {
    throw new MongoServerError([17262, "Location17262"], `${what}: unsupported language: "${String(raw)}" (this store supports english and none)`);
  }
  return raw.toLowerCase() === "none" ? "none" : "english";
}

// ------------------------------------------------------------------ index spec

/** Whether a createIndexes key pattern asks for a text index. */
export function isTextKey(key: Document): boolean {
  return Object.values(key).some((v) => v === "text") || "_fts" in key;
}

/**
 * mongod's stored form of a text index: key {..., _fts: "text", _ftsx: 1, ...}, `weights` (1 for a field
 * without one), default_language, language_override, textIndexVersion.
 */
export function normalizeTextSpec(spec: Document): Document {
  const key = spec.key as Document;
  if ("_fts" in key) return spec; // already normalized (recovery, renameCollection)
  const weights: Document = {};
  const out: Document = {};
  let placed = false;
  for (const [f, v] of Object.entries(key)) {
    if (v === "text") {
      weights[f] = 1;
      if (!placed) {
        out._fts = "text";
        out._ftsx = 1;
        placed = true;
      }
    } else {
      // prefix and suffix fields stay in the key (mongod filters on them; here the query re-checks them)
      out[f] = v;
    }
  }
  if (isPlainObject(spec.weights)) {
    for (const [f, w] of Object.entries(spec.weights)) {
      const n = Number(w);
      if (!Number.isInteger(n) || n < 1 || n >= 100000) fail("CannotCreateIndex", `text index weight must be in the exclusive interval (0,100000) but found: ${String(w)}`);
      weights[f] = n;
    }
  }
  languageOf(spec.default_language, "default_language");
  // mongod's field order: v, key, name, the other options, then the text settings
  const { v, key: _key, name, weights: _w, default_language, language_override, textIndexVersion: _t, ...others } = spec;
  return {
    ...(v !== undefined ? { v } : {}),
    key: out,
    name,
    ...others,
    weights,
    default_language: default_language ?? "english",
    language_override: language_override ?? "language",
    textIndexVersion: TEXT_INDEX_VERSION,
  };
}

// ------------------------------------------------------------------ tokenizing and stemming

const VOWEL = /[aeiouy]/;

/** Porter step 1 (a, b, c): plural and -ed/-ing endings, terminal y; enough for "dragons"/"dragon", "running"/"run". */
export function stem(w: string): string {
  if (w.length <= 2) return w;
  const hasVowel = (s: string) => VOWEL.test(s.replace(/^y/, ""));
  const consonantAt = (s: string, i: number): boolean => {
    const c = s[i]!;
    if ("aeiou".includes(c)) return false;
    if (c === "y") return i === 0 || !consonantAt(s, i - 1);
    return true;
  };
  const measure = (s: string): number => {
    let m = 0;
    let prevVowel = false;
    for (let i = 0; i < s.length; i++) {
      const v = !consonantAt(s, i);
      if (!v && prevVowel) m++;
      prevVowel = v;
    }
    return m;
  };
  const cvc = (s: string): boolean => {
    const n = s.length;
    return n >= 3 && consonantAt(s, n - 3) && !consonantAt(s, n - 2) && consonantAt(s, n - 1) && !"wxy".includes(s[n - 1]!);
  };
  // 1a
  if (w.endsWith("sses")) w = w.slice(0, -2);
  else if (w.endsWith("ies")) w = w.slice(0, -2);
  else if (w.endsWith("ss")) {
    /* stays */
  } else if (w.endsWith("s") && w.length > 3) w = w.slice(0, -1);
  // 1b
  let cleanup = false;
  if (w.endsWith("eed")) {
    if (measure(w.slice(0, -3)) > 0) w = w.slice(0, -1);
  } else if (w.endsWith("ed") && hasVowel(w.slice(0, -2))) {
    w = w.slice(0, -2);
    cleanup = true;
  } else if (w.endsWith("ing") && hasVowel(w.slice(0, -3))) {
    w = w.slice(0, -3);
    cleanup = true;
  }
  if (cleanup) {
    if (w.endsWith("at") || w.endsWith("bl") || w.endsWith("iz")) w += "e";
    else if (w.length >= 2 && w[w.length - 1] === w[w.length - 2] && consonantAt(w, w.length - 1) && !"lsz".includes(w[w.length - 1]!)) w = w.slice(0, -1);
    else if (measure(w) === 1 && cvc(w)) w += "e";
  }
  // 1c
  if (w.endsWith("y") && w.length > 2 && hasVowel(w.slice(0, -1))) w = w.slice(0, -1) + "i";
  return w;
}

/** Lowercased words without diacritics, split on anything that is not a letter, digit or apostrophe. */
function words(text: string): string[] {
  const folded = text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  return folded.split(/[^\p{L}\p{N}']+/u).map((w) => w.replace(/^'+|'+$/g, "")).filter((w) => w.length > 0);
}

/** The index terms of a text: stems of the words, stop words dropped (English). `exact`: the stem is the word. */
export function terms(text: string, language: TextLanguage): { term: string; exact: boolean }[] {
  const out: { term: string; exact: boolean }[] = [];
  for (const w of words(text)) {
    if (language === "english") {
      if (ENGLISH_STOP_WORDS.has(w)) continue;
      const bare = w.replace(/'s$/, "").replace(/'/g, "");
      if (!bare) continue;
      const t = stem(bare);
      out.push({ term: t, exact: t === bare });
    } else {
      out.push({ term: w.replace(/'/g, ""), exact: true });
    }
  }
  return out;
}

function foldPhrase(s: string): string {
  return s.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
}

// ------------------------------------------------------------------ the index

/** Every string under a path (arrays of strings included); "$**" is every string in the document. */
function stringsAt(doc: unknown, path: string): string[] {
  const out: string[] = [];
  const walkAll = (v: unknown): void => {
    if (typeof v === "string") out.push(v);
    else if (Array.isArray(v)) v.forEach(walkAll);
    else if (isPlainObject(v)) for (const k of Object.keys(v)) walkAll(v[k]);
  };
  if (path === "$**") {
    walkAll(doc);
    return out;
  }
  const segs = path.split(".");
  const walk = (v: unknown, i: number): void => {
    if (i === segs.length) {
      if (typeof v === "string") out.push(v);
      else if (Array.isArray(v)) for (const x of v) if (typeof x === "string") out.push(x);
      return;
    }
    if (Array.isArray(v)) for (const x of v) walk(x, i);
    else if (isPlainObject(v) && Object.hasOwn(v, segs[i]!)) walk(v[segs[i]!], i + 1);
  };
  walk(doc, 0);
  return out;
}

export interface TextQuery {
  /** distinct stems that score and of which one must appear */
  positive: string[];
  negative: string[];
  phrases: string[];
  negativePhrases: string[];
}

export class TextIndex {
  private readonly weights: [string, number][];
  private readonly language: TextLanguage;
  private readonly languageOverride: string;
  /** term → document key → score of that term in that document */
  private readonly postings = new Map<string, Map<string, number>>();
  private readonly docTerms = new Map<string, string[]>();

  constructor(spec: Document) {
    this.weights = Object.entries(spec.weights as Document).map(([f, w]) => [f, Number(w)]);
    this.language = languageOf(spec.default_language, "default_language");
    this.languageOverride = typeof spec.language_override === "string" ? spec.language_override : "language";
  }

  /** A document's term scores (mongod's _scoreStringV2, summed over fields). */
  scores(doc: Document): Map<string, number> {
    const own = doc[this.languageOverride];
    const language = typeof own === "string" && LANGUAGES.has(own.toLowerCase()) ? languageOf(own, "language") : this.language;
    const out = new Map<string, number>();
    for (const [field, weight] of this.weights) {
      for (const text of stringsAt(doc, field)) {
        const ts = terms(text, language);
        const per = new Map<string, { count: number; freq: number; exp: number; exact: boolean }>();
        for (const { term, exact } of ts) {
          const d = per.get(term) ?? { count: 0, freq: 0, exp: 0, exact: false };
          d.exp = d.exp ? d.exp * 2 : 1;
          d.count++;
          d.freq += 1 / d.exp;
          d.exact ||= exact;
          per.set(term, d);
        }
        for (const [term, d] of per) {
          const coeff = 0.5 * (d.count / ts.length) + 0.5;
          out.set(term, (out.get(term) ?? 0) + weight * d.freq * coeff * (d.exact ? 1.1 : 1));
        }
      }
    }
    return out;
  }

  add(id: string, doc: Document): void {
    const s = this.scores(doc);
    for (const [term, score] of s) {
      let m = this.postings.get(term);
      if (!m) this.postings.set(term, (m = new Map()));
      m.set(id, score);
    }
    this.docTerms.set(id, [...s.keys()]);
  }

  remove(id: string): void {
    for (const term of this.docTerms.get(id) ?? []) {
      const m = this.postings.get(term);
      m?.delete(id);
      if (m && m.size === 0) this.postings.delete(term);
    }
    this.docTerms.delete(id);
  }

  clear(): void {
    this.postings.clear();
    this.docTerms.clear();
  }

  /** Candidate document keys with their scores, before phrase and negation checks. */
  candidates(q: TextQuery): Map<string, number> {
    const out = new Map<string, number>();
    for (const term of q.positive) {
      for (const [id, s] of this.postings.get(term) ?? []) out.set(id, (out.get(id) ?? 0) + s);
    }
    return out;
  }

  /** The document's score for `q`, or null when it does not match (used for documents not in the index). */
  scoreOf(doc: Document, q: TextQuery): number | null {
    const s = this.scores(doc);
    let score = 0;
    let any = false;
    for (const t of q.positive) {
      const v = s.get(t);
      if (v !== undefined) {
        score += v;
        any = true;
      }
    }
    if (!any || !this.passes(doc, q, s)) return null;
    return score;
  }

  /** Phrases present, negated terms and phrases absent. */
  passes(doc: Document, q: TextQuery, scores?: Map<string, number>): boolean {
    if (q.negative.length) {
      const s = scores ?? this.scores(doc);
      if (q.negative.some((t) => s.has(t))) return false;
    }
    if (q.phrases.length === 0 && q.negativePhrases.length === 0) return true;
    const texts = this.weights.flatMap(([f]) => stringsAt(doc, f)).map(foldPhrase);
    if (!q.phrases.every((p) => texts.some((t) => t.includes(p)))) return false;
    return !q.negativePhrases.some((p) => texts.some((t) => t.includes(p)));
  }
}

// ------------------------------------------------------------------ $text

/** Parses `{$search, $language?, $caseSensitive?, $diacriticSensitive?}` into terms, phrases and negations. */
export function parseTextQuery(arg: unknown, indexLanguage: unknown): TextQuery {
  if (!isPlainObject(arg)) fail("BadValue", "$text expects an object");
  for (const k of Object.keys(arg)) {
    if (!["$search", "$language", "$caseSensitive", "$diacriticSensitive"].includes(k)) fail("BadValue", `unknown operator: ${k}`);
  }
  if (typeof arg.$search !== "string") fail("BadValue", "$search requires a string value");
  if (arg.$caseSensitive === true) fail("BadValue", "$caseSensitive: true is not supported by this store");
  if (arg.$diacriticSensitive === true) fail("BadValue", "$diacriticSensitive: true is not supported by this store");
  const language = languageOf(arg.$language ?? indexLanguage, "$language");
  const q: TextQuery = { positive: [], negative: [], phrases: [], negativePhrases: [] };
  const search = arg.$search;
  // "phrase", -"phrase", -term, term
  const re = /(-?)"([^"]*)"?|(\S+)/g;
  let m: RegExpExecArray | null;
  const positive = new Set<string>();
  const negative = new Set<string>();
  while ((m = re.exec(search))) {
    if (m[2] !== undefined) {
      const phrase = foldPhrase(m[2]).trim();
      if (!phrase) continue;
      if (m[1]) q.negativePhrases.push(phrase);
      else {
        q.phrases.push(phrase);
        for (const t of terms(phrase, language)) positive.add(t.term);
      }
      continue;
    }
    const word = m[3]!;
    const neg = word.startsWith("-") && word.length > 1;
    for (const t of terms(neg ? word.slice(1) : word, language)) (neg ? negative : positive).add(t.term);
  }
  q.positive = [...positive];
  q.negative = [...negative];
  return q;
}

/**
 * Splits `$text` out of a filter: it may appear once, at the top level or in a top-level $and.
 * Returns null when the filter has no $text.
 */
export function extractText(filter: Document | undefined): { text: unknown; rest: Document } | null {
  // the common case costs two property checks; a $text nested deeper reaches mingo, which refuses it
  if (!filter || (!("$text" in filter) && !Array.isArray(filter.$and))) return null;
  let text: unknown;
  let found = 0;
  const rest: Document = {};
  for (const [k, v] of Object.entries(filter)) {
    if (k === "$text") {
      text = v;
      found++;
    } else if (k === "$and" && Array.isArray(v)) {
      const kept: Document[] = [];
      for (const sub of v) {
        if (isPlainObject(sub) && "$text" in sub) {
          const { $text, ...others } = sub;
          text = $text;
          found++;
          if (Object.keys(others).length) kept.push(others);
        } else kept.push(sub as Document);
      }
      if (kept.length) rest.$and = kept;
    } else rest[k] = v;
  }
  if (found === 0) return null;
  if (found > 1) fail("BadValue", "Too many text expressions");
  if (mentionsText(rest)) fail("BadValue", "$text is only allowed at the top level of a query or in a top-level $and");
  return { text, rest };
}

function mentionsText(v: unknown): boolean {
  if (Array.isArray(v)) return v.some(mentionsText);
  if (!isPlainObject(v)) return false;
  return Object.keys(v).some((k) => k === "$text" || mentionsText(v[k]));
}

/** The filter has a `$text` where one may stand: at its top level or in a top-level `$and` (see `extractText`). */
export function hasTextMatch(filter: unknown): boolean {
  if (!isPlainObject(filter)) return false;
  return "$text" in filter || (Array.isArray(filter.$and) && filter.$and.some((x: unknown) => isPlainObject(x) && "$text" in x));
}

/** A value is {$meta: "textScore"}. */
export function isTextScoreMeta(v: unknown): boolean {
  return isPlainObject(v) && Object.keys(v).length === 1 && v.$meta === "textScore";
}
