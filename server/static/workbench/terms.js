// RDF terms as the page shows them: our IRIs as links to their local pages, other http(s) IRIs as links,
// literals without their language tag in the text (the tag is shown discreetly beside it).
"use strict";

export const BASE = "https://w3id.org/ai-incidents/";

/** The local page of one of our IRIs (things under id/ open their /doc/ page), an http(s) IRI as is, else null. */
export function hrefOf(iri) {
  if (iri.startsWith(BASE)) {
    const rest = iri.slice(BASE.length);
    return rest.startsWith("id/") ? "/doc/" + rest.slice(3) : "/" + rest;
  }
  return /^https?:\/\//i.test(iri) ? iri : null;
}

/** ``kg:Incident`` for an IRI in a known namespace (the longest that fits), else the IRI. */
export function compact(iri, prefixes) {
  let best = null;
  for (const [name, namespace] of Object.entries(prefixes || {})) {
    if (iri.startsWith(namespace) && iri.length > namespace.length && (!best || namespace.length > best[1].length)) {
      best = [name, namespace];
    }
  }
  return best ? best[0] + ":" + iri.slice(best[1].length) : iri;
}

/** The plain value of a term, as the CSV results format writes it. */
export function plain(term) {
  if (!term) return "";
  return term.type === "bnode" ? "_:" + term.value : term.value;
}

/** Labels of IRIs, filled by the page from /api/labels and shown beside them. */
export const LABELS = new Map();

/** A DOM node showing ``term`` (an IRI with its label beside it, once known). */
export function termNode(term, prefixes) {
  if (!term) return document.createTextNode("");
  if (term.type === "uri") {
    const href = hrefOf(term.value);
    const node = document.createElement(href ? "a" : "span");
    if (href) node.href = href;
    node.title = term.value;
    node.className = "iri";
    node.textContent = compact(term.value, prefixes);
    if (!LABELS.get(term.value)) return node;
    const both = document.createElement("span");
    const label = Object.assign(document.createElement("span"), { className: "label", textContent: LABELS.get(term.value) });
    both.append(node, " ", label);
    return both;
  }
  if (term.type === "bnode") return document.createTextNode("_:" + term.value);
  const span = document.createElement("span");
  span.textContent = term.value;
  if (term["xml:lang"]) {
    const tag = document.createElement("span");
    tag.className = "lang";
    tag.textContent = term["xml:lang"];
    tag.title = "language: " + term["xml:lang"];
    span.append(" ", tag);
  }
  return span;
}

/** Parse N-Triples (what the page asks a CONSTRUCT or DESCRIBE for) into SPARQL JSON-like terms. */
export function parseNTriples(text) {
  const term = /\s*(<([^>]*)>|_:(\S+)|"((?:[^"\\]|\\.)*)"(?:@([\w-]+)|\^\^<([^>]*)>)?)/y;
  const unescape = (s) => s.replace(/\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})|\\(.)/g, (m, u, U, c) =>
    u || U ? String.fromCodePoint(parseInt(u || U, 16)) : ({ n: "\n", t: "\t", r: "\r" })[c] ?? c);
  const triples = [];
  for (const line of text.split("\n")) {
    if (!line.trim() || line.trim().startsWith("#")) continue;
    term.lastIndex = 0;
    const parts = [];
    for (let i = 0; i < 3; i++) {
      const m = term.exec(line);
      if (!m) break;
      if (m[2] !== undefined) parts.push({ type: "uri", value: unescape(m[2]) });
      else if (m[3] !== undefined) parts.push({ type: "bnode", value: m[3] });
      else parts.push(Object.assign({ type: "literal", value: unescape(m[4]) },
        m[5] ? { "xml:lang": m[5] } : {}, m[6] ? { datatype: m[6] } : {}));
    }
    if (parts.length === 3) triples.push(parts);
  }
  return triples;
}
