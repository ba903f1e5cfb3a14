// The query workbench: the examples gallery with their parameters, the editor, running a query through /sparql,
// the result views, permalinks (query and view in the URL's fragment) and downloads of the whole result.
"use strict";

import { Builder, SAMPLES } from "./workbench/builder.js";
import { Editor } from "./workbench/editor.js";
import { LABELS, parseNTriples } from "./workbench/terms.js";
import { VIEWS, suitedViews } from "./workbench/views.js";

const ENDPOINT = "/sparql";
const $ = (id) => document.getElementById(id);
const editor = new Editor($("query"), $("highlight"), $("completions"));
const state = { data: null, view: "table", prefixes: {}, examples: [] };

function setStatus(text, isError) {
  $("status").textContent = text;
  $("status").className = isError ? "error" : "";
}

function showError(message) {
  $("error").hidden = false;
  $("error-message").textContent = message;
  const where = /line (\d+), column (\d+)/.exec(message);
  if (where) editor.markError(Number(where[1]), Number(where[2]));
  const declaration = /PREFIX ([\w.-]*): <([^>]*)>/.exec(message);
  const button = $("add-prefix");
  button.hidden = !declaration;
  if (declaration) {
    button.textContent = `Add the declaration PREFIX ${declaration[1]}: <…>`;
    button.onclick = () => { editor.prepend(declaration[0] + "\n", declaration[2]); $("error").hidden = true; };
  }
}

function permalink() {
  return "#" + new URLSearchParams({ query: editor.value, view: state.view }).toString();
}

function updateLinks(query, isGraph) {
  $("permalink").href = permalink();
  history.replaceState(null, "", permalink());
  for (const link of $("downloads").querySelectorAll("a")) {
    const format = link.dataset.format;
    link.hidden = isGraph ? ["csv", "tsv"].includes(format) : ["turtle", "ntriples"].includes(format);
    link.href = ENDPOINT + "?" + new URLSearchParams({ query, format }).toString();
  }
  $("downloads").hidden = false;
}

function render() {
  const data = state.data;
  if (!data) return;
  const suited = suitedViews(data);
  if (!suited.includes(state.view)) state.view = suited[0];
  for (const button of $("views").querySelectorAll("button")) {
    const view = button.dataset.view;
    button.disabled = !suited.includes(view);
    button.title = button.disabled ? "This result has no columns that suit this view" : "";
    button.setAttribute("aria-pressed", String(view === state.view));
  }
  VIEWS[state.view]($("results"), data, state.prefixes);
  $("results").dataset.view = state.view;
  $("permalink").href = permalink();
  history.replaceState(null, "", permalink());
}

async function run(view) {
  const query = editor.value;
  if (view) state.view = view;
  $("error").hidden = true;
  setStatus("Running…", false);
  const started = performance.now();
  let response;
  try {
    response = await fetch(ENDPOINT, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded",
                 Accept: "application/sparql-results+json, application/n-triples;q=0.9, application/json;q=0.1" },
      body: new URLSearchParams({ query }),
    });
  } catch (error) {
    setStatus("The endpoint could not be reached: " + error, true);
    return;
  }
  const seconds = ((performance.now() - started) / 1000).toFixed(2);
  const type = response.headers.get("Content-Type") || "";
  if (!response.ok) {
    const text = await response.text();
    let message = text;
    try { message = JSON.parse(text).message || text; } catch (error) { /* a plain-text error */ }
    state.data = null;
    $("results").replaceChildren();
    $("downloads").hidden = true;
    setStatus("Error " + response.status, true);
    showError(message);
    return;
  }
  if (type.startsWith("application/sparql-results+json")) {
    const json = await response.json();
    if ("boolean" in json) {
      state.data = null;
      $("results").replaceChildren(Object.assign(document.createElement("p"), { id: "results-boolean", textContent: json.boolean ? "yes" : "no" }));
      setStatus("Answered in " + seconds + " s.", false);
      updateLinks(query, false);
      return;
    }
    state.data = { vars: json.head.vars, rows: json.results.bindings, graph: false };
    const rows = state.data.rows.length;
    setStatus(rows + " row" + (rows === 1 ? "" : "s") + " in " + seconds + " s.", false);
    updateLinks(query, false);
  } else {
    const triples = parseNTriples(await response.text());
    state.data = { vars: ["subject", "predicate", "object"], graph: true, triples,
                   rows: triples.map(([subject, predicate, object]) => ({ subject, predicate, object })) };
    setStatus(triples.length + " triple" + (triples.length === 1 ? "" : "s") + " in " + seconds + " s.", false);
    updateLinks(query, true);
  }
  render();
  addLabels(state.data);
}

/** Ask the labels of the result's IRIs not yet known (up to 200), then show the result again with them. */
async function addLabels(data) {
  const wanted = new Set();
  for (const row of data.rows) {
    for (const term of Object.values(row)) {
      if (term && term.type === "uri" && !LABELS.has(term.value) && wanted.size < 200) wanted.add(term.value);
    }
  }
  if (!wanted.size) return;
  const response = await fetch("/api/labels", { method: "POST", headers: { "Content-Type": "application/json" },
                                                body: JSON.stringify([...wanted]) });
  if (!response.ok) return;
  const found = await response.json();
  for (const iri of wanted) LABELS.set(iri, found[iri] || "");
  if (state.data === data && Object.keys(found).length) render();
}

async function applyParams(example) {
  const values = {};
  for (const input of $("param-fields").querySelectorAll("input")) values[input.name] = input.value.trim();
  const response = await fetch(`/examples/${encodeURIComponent(example.name)}?` + new URLSearchParams(values));
  const body = await response.json();
  if (!response.ok) { setStatus("Error " + response.status, true); showError(body.message); return; }
  editor.value = body.query;
  run("table");
}

function showParams(example) {
  const names = Object.keys(example.params).filter((name) => name !== example.service);
  $("params").hidden = !names.length;
  $("params-title").textContent = "Parameters of “" + example.title + "”";
  $("param-fields").replaceChildren(...names.map((name) => {
    const row = document.createElement("div");
    row.className = "param";
    const id = "param-" + name;
    const label = Object.assign(document.createElement("label"), { htmlFor: id, textContent: "?" + name });
    const input = Object.assign(document.createElement("input"), { id, name, value: example.params[name], type: "text" });
    input.dataset.param = name;
    const list = Object.assign(document.createElement("datalist"), { id: id + "-choices" });
    input.setAttribute("list", list.id);
    input.addEventListener("input", async () => {
      if (input.value.length < 3 || input.value.startsWith("http")) return;
      const response = await fetch("/api/complete?" + new URLSearchParams({ q: input.value }));
      if (!response.ok) return;
      list.replaceChildren(...(await response.json()).map((thing) =>
        Object.assign(document.createElement("option"), { value: thing.iri, label: thing.label })));
    });
    row.append(label, input, list);
    return row;
  }));
  $("params").onsubmit = (event) => { event.preventDefault(); applyParams(example); };
}

function pick(example) {
  editor.value = example.bound;
  showParams(example);
  run("table");
}

async function loadExamples() {
  const box = $("examples");
  try {
    const response = await fetch("/examples", { headers: { Accept: "application/json" } });
    state.examples = await response.json();
  } catch (error) {
    box.textContent = "The example queries could not be loaded.";
    return;
  }
  box.replaceChildren(...state.examples.map((example) => {
    const item = document.createElement("li");
    item.className = "example";
    item.dataset.search = (example.title + " " + example.description + " " + example.name).toLowerCase();
    const button = Object.assign(document.createElement("button"), { type: "button", textContent: example.title });
    button.dataset.name = example.name;
    const description = Object.assign(document.createElement("p"), { textContent: example.description });
    item.append(button, description);
    const params = Object.entries(example.params).filter(([name]) => name !== example.service);
    if (params.length) {
      item.appendChild(Object.assign(document.createElement("p"), { className: "example-params",
        textContent: "Parameters: " + params.map(([name, value]) => `?${name} = ${value.replace("https://w3id.org/ai-incidents/", "")}`).join(", ") }));
    }
    if (example.unavailable) {
      button.disabled = true;
      item.classList.add("unavailable");
      item.appendChild(Object.assign(document.createElement("p"), { className: "why", textContent: example.unavailable }));
    } else {
      button.addEventListener("click", () => pick(example));
    }
    return item;
  }));
}

async function loadVocabulary() {
  try {
    const response = await fetch("/api/vocabulary");
    editor.vocabulary = await response.json();
    state.prefixes = editor.vocabulary.prefixes;
    render();
  } catch (error) { /* completion without the vocabulary still offers keywords */ }
}

async function loadBuilder() {
  let model;
  try {
    model = await (await fetch("/api/builder")).json();
  } catch (error) {
    $("builder").textContent = "The builder's model could not be loaded.";
    return;
  }
  const open = (text) => { editor.value = text; $("query").focus(); };
  const builder = new Builder($("builder"), model, (text) => { open(text); run("table"); }, open);
  $("builder-samples").replaceChildren(...Object.entries(SAMPLES).map(([name, sample]) => {
    const button = Object.assign(document.createElement("button"), { type: "button", textContent: sample.title });
    button.dataset.sample = name;
    button.addEventListener("click", () => builder.load(name));
    return button;
  }));
}

function openFromLocation() {
  const params = new URLSearchParams(location.hash.slice(1));
  if (!params.has("query")) return false;
  editor.value = params.get("query");
  run(params.get("view") || "table");
  return true;
}

$("run").addEventListener("click", () => run());
$("query").addEventListener("keydown", (event) => {
  if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) { event.preventDefault(); run(); }
});
for (const button of $("views").querySelectorAll("button")) {
  button.addEventListener("click", () => { state.view = button.dataset.view; render(); });
}
$("example-search").addEventListener("input", () => {
  const needle = $("example-search").value.toLowerCase();
  for (const item of $("examples").children) item.hidden = !item.dataset.search.includes(needle);
});
$("endpoint").textContent = new URL(ENDPOINT, window.location.href).href;
window.addEventListener("hashchange", openFromLocation);
loadVocabulary();
loadExamples();
loadBuilder();
openFromLocation();
