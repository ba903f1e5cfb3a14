// The SPARQL editor: a textarea over a highlighted copy of its text, completion of keywords, prefixes, our
// vocabulary, variables and things by label (/api/complete), and a mark where the endpoint found an error.
"use strict";

const KEYWORDS = ("SELECT CONSTRUCT DESCRIBE ASK WHERE FROM NAMED PREFIX BASE DISTINCT REDUCED OPTIONAL FILTER UNION " +
  "MINUS GRAPH SERVICE BIND VALUES AS GROUP BY HAVING ORDER ASC DESC LIMIT OFFSET EXISTS NOT IN COUNT SUM MIN MAX " +
  "AVG SAMPLE GROUP_CONCAT SEPARATOR STR LANG DATATYPE BOUND IRI COALESCE IF CONTAINS STRSTARTS LCASE UCASE YEAR " +
  "REGEX SUBSTR STRAFTER STRBEFORE isIRI isLiteral").split(" ");
const TOKENS = /(#[^\n]*)|("""[\s\S]*?"""|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')|(<[^<>"{}|^`\\\s]*>)|([?$]\w+)|((?:[A-Za-z][\w.-]*)?:(?:[\w.-]|\\.)*)|(\b\d+(?:\.\d+)?\b)|(\b[A-Za-z_]+\b)/g;
const KEYWORD_SET = new Set(KEYWORDS.map((k) => k.toUpperCase()).concat(["A"]));

function escapeHtml(text) {
  return text.replace(/[&<>]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;" })[c]);
}

/** ``text`` as HTML with a span per token class (comment, string, iri, var, pname, number, keyword). */
export function highlight(text, mark) {
  let html = "";
  let at = 0;
  const classes = ["comment", "string", "iri", "var", "pname", "number", "keyword"];
  for (const m of text.matchAll(TOKENS)) {
    const kind = classes.findIndex((_, i) => m[i + 1] !== undefined);
    if (kind === 6 && !KEYWORD_SET.has(m[0].toUpperCase())) continue;
    html += escapeHtml(text.slice(at, m.index)) + `<span class="tok-${classes[kind]}">${escapeHtml(m[0])}</span>`;
    at = m.index + m[0].length;
  }
  html += escapeHtml(text.slice(at));
  if (mark !== null && mark !== undefined) html = markAt(text, mark);
  return html + "\n";
}

function markAt(text, offset) {
  const end = Math.max(offset + 1, (/^[\w:.-]+/.exec(text.slice(offset)) || [""])[0].length + offset);
  return highlight(text.slice(0, offset)).slice(0, -1) +
    `<mark class="error-mark">${escapeHtml(text.slice(offset, end) || " ")}</mark>` +
    highlight(text.slice(end)).slice(0, -1);
}

export class Editor {
  constructor(textarea, layer, list) {
    this.textarea = textarea;
    this.layer = layer;
    this.list = list;
    this.vocabulary = { prefixes: {}, terms: [] };
    this.options = [];
    this.active = -1;
    this.errorOffset = null;
    this.timer = null;
    textarea.setAttribute("role", "combobox");
    textarea.setAttribute("aria-autocomplete", "list");
    textarea.setAttribute("aria-controls", list.id);
    textarea.setAttribute("aria-expanded", "false");
    textarea.addEventListener("input", () => { this.errorOffset = null; this.render(); this.suggest(false); });
    textarea.addEventListener("scroll", () => { layer.scrollTop = textarea.scrollTop; layer.scrollLeft = textarea.scrollLeft; });
    textarea.addEventListener("keydown", (event) => this.key(event));
    textarea.addEventListener("blur", () => setTimeout(() => this.close(), 150));
    this.render();
  }

  get value() { return this.textarea.value; }
  set value(text) { this.textarea.value = text; this.errorOffset = null; this.render(); }

  render() {
    this.layer.innerHTML = highlight(this.textarea.value, this.errorOffset);
    this.layer.scrollTop = this.textarea.scrollTop;
  }

  /** Mark line ``line``, column ``column`` (1-based) as where the error is, and put the caret there. */
  markError(line, column) {
    const lines = this.textarea.value.split("\n");
    const offset = lines.slice(0, line - 1).reduce((sum, l) => sum + l.length + 1, 0) + column - 1;
    this.errorOffset = Math.min(Math.max(0, offset), this.textarea.value.length);
    this.render();
    this.textarea.setSelectionRange(this.errorOffset, this.errorOffset);
  }

  /** The word being typed before the caret, and where it starts. */
  word() {
    const before = this.textarea.value.slice(0, this.textarea.selectionStart);
    const m = /(\?\w*|(?:[A-Za-z][\w.-]*)?:[\w.-]*|[A-Za-z][\w-]*)$/.exec(before);
    return m ? { text: m[0], start: before.length - m[0].length } : { text: "", start: before.length };
  }

  candidates(word) {
    const lower = word.toLowerCase();
    if (word.startsWith("?")) {
      const names = new Set([...this.textarea.value.matchAll(/[?$](\w+)/g)].map((m) => "?" + m[1]));
      return [...names].filter((n) => n.startsWith(word) && n !== word).map((n) => ({ insert: n, text: n, kind: "variable" }));
    }
    const terms = this.vocabulary.terms.filter((t) => t.name.toLowerCase().startsWith(lower) && t.name !== word)
      .map((t) => ({ insert: t.name, text: t.name, kind: t.kind, detail: t.label }));
    if (word.includes(":")) return terms;
    const prefixes = Object.keys(this.vocabulary.prefixes).filter((p) => p.startsWith(lower))
      .map((p) => ({ insert: p + ":", text: p + ":", kind: "prefix", detail: this.vocabulary.prefixes[p] }));
    const keywords = KEYWORDS.filter((k) => k.toLowerCase().startsWith(lower) && k.toLowerCase() !== lower)
      .map((k) => ({ insert: k, text: k, kind: "keyword" }));
    return [...keywords, ...prefixes, ...terms];
  }

  /** Show what the word before the caret may become; things by label come from the server after a pause. */
  suggest(forced) {
    const word = this.word();
    clearTimeout(this.timer);
    if (!forced && word.text.length < 2 && !word.text.includes(":")) { this.close(); return; }
    const local = this.candidates(word.text).slice(0, 30);
    this.show(local, word);
    if (/^[A-Za-z][\w-]{2,}$/.test(word.text)) {
      this.timer = setTimeout(async () => {
        const response = await fetch("/api/complete?" + new URLSearchParams({ q: word.text }));
        if (!response.ok || this.word().text !== word.text) return;
        const things = (await response.json()).map((t) => ({ insert: "<" + t.iri + ">", text: t.label, kind: "thing", detail: t.iri.replace("https://w3id.org/ai-incidents/", "") }));
        this.show([...local.slice(0, 10), ...things], word);
      }, 200);
    }
  }

  show(options, word) {
    this.options = options;
    this.word_ = word;
    this.active = options.length ? 0 : -1;
    this.list.replaceChildren(...options.map((option, i) => {
      const item = document.createElement("li");
      item.id = "completion-" + i;
      item.setAttribute("role", "option");
      item.dataset.insert = option.insert;
      item.innerHTML = `<span class="completion-text"></span> <span class="completion-kind"></span> <span class="completion-detail"></span>`;
      item.children[0].textContent = option.text;
      item.children[1].textContent = option.kind;
      item.children[2].textContent = option.detail || "";
      item.addEventListener("mousedown", (event) => { event.preventDefault(); this.accept(i); });
      return item;
    }));
    this.list.hidden = !options.length;
    this.textarea.setAttribute("aria-expanded", String(Boolean(options.length)));
    this.highlightActive();
  }

  highlightActive() {
    [...this.list.children].forEach((item, i) => item.setAttribute("aria-selected", String(i === this.active)));
    if (this.active >= 0) this.textarea.setAttribute("aria-activedescendant", "completion-" + this.active);
    else this.textarea.removeAttribute("aria-activedescendant");
  }

  close() {
    this.list.hidden = true;
    this.options = [];
    this.textarea.setAttribute("aria-expanded", "false");
    this.textarea.removeAttribute("aria-activedescendant");
  }

  accept(index) {
    const option = this.options[index];
    if (!option) return;
    const { start, text } = this.word_;
    const value = this.textarea.value;
    this.textarea.value = value.slice(0, start) + option.insert + value.slice(start + text.length);
    const caret = start + option.insert.length;
    this.textarea.setSelectionRange(caret, caret);
    this.close();
    this.render();
    this.textarea.focus();
  }

  /** Insert ``text`` at the very start (a PREFIX declaration) and select ``select`` within it. */
  prepend(text, select) {
    this.textarea.value = text + this.textarea.value;
    this.render();
    const at = text.indexOf(select);
    this.textarea.focus();
    if (at >= 0) this.textarea.setSelectionRange(at, at + select.length);
  }

  key(event) {
    const open = !this.list.hidden && this.options.length;
    if (event.key === " " && event.ctrlKey) { event.preventDefault(); this.suggest(true); return; }
    if (!open) return;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      const step = event.key === "ArrowDown" ? 1 : -1;
      this.active = (this.active + step + this.options.length) % this.options.length;
      this.highlightActive();
    } else if ((event.key === "Enter" && !event.ctrlKey && !event.metaKey) || event.key === "Tab") {
      event.preventDefault();
      this.accept(this.active);
    } else if (event.key === "Escape") {
      event.preventDefault();
      this.close();
    }
  }
}
