// The query page: load the example queries, run a query against /sparql, show the results as a table.
"use strict";

const ENDPOINT = "/sparql";
const queryBox = document.getElementById("query");
const statusLine = document.getElementById("status");
const results = document.getElementById("results");
const downloads = document.getElementById("downloads");

function setStatus(text, isError) {
  statusLine.textContent = text;
  statusLine.className = isError ? "error" : "";
}

function termText(term) {
  if (!term) return "";
  if (term.type === "literal" && term["xml:lang"]) return term.value + " @" + term["xml:lang"];
  return term.value;
}

// Only http(s) IRIs become links: a result may hold any IRI (javascript:, data:, file:), shown as text.
function isWebIri(value) {
  try {
    const protocol = new URL(value).protocol;
    return protocol === "http:" || protocol === "https:";
  } catch (error) {
    return false;
  }
}

function cell(term) {
  const td = document.createElement("td");
  if (term && term.type === "uri" && isWebIri(term.value)) {
    const link = document.createElement("a");
    link.href = term.value;
    link.textContent = term.value;
    td.appendChild(link);
  } else {
    td.textContent = termText(term);
  }
  return td;
}

function showTable(data) {
  const table = document.createElement("table");
  table.id = "results-table";
  const head = table.createTHead().insertRow();
  for (const name of data.head.vars) {
    const th = document.createElement("th");
    th.textContent = name;
    head.appendChild(th);
  }
  const body = table.createTBody();
  for (const binding of data.results.bindings) {
    const row = body.insertRow();
    for (const name of data.head.vars) row.appendChild(cell(binding[name]));
  }
  results.replaceChildren(table);
  return data.results.bindings.length;
}

function updateDownloads(query, isGraph) {
  for (const link of downloads.querySelectorAll("a")) {
    const format = link.dataset.format;
    const suits = isGraph ? ["turtle", "json", "xml"].includes(format) : format !== "turtle";
    link.hidden = !suits;
    link.href = ENDPOINT + "?" + new URLSearchParams({ query: query, format: format }).toString();
  }
  downloads.hidden = false;
}

async function run() {
  const query = queryBox.value;
  setStatus("Running…", false);
  const started = performance.now();
  let response;
  try {
    response = await fetch(ENDPOINT, {
      method: "POST",
      headers: {
        "Content-Type": "application/x-www-form-urlencoded",
        "Accept": "application/sparql-results+json, text/turtle;q=0.9, text/plain;q=0.1",
      },
      body: new URLSearchParams({ query: query }),
    });
  } catch (error) {
    setStatus("The endpoint could not be reached: " + error, true);
    return;
  }
  const seconds = ((performance.now() - started) / 1000).toFixed(2);
  const type = response.headers.get("Content-Type") || "";
  if (!response.ok) {
    results.replaceChildren();
    downloads.hidden = true;
    setStatus("Error " + response.status + ": " + (await response.text()), true);
    return;
  }
  if (type.startsWith("application/sparql-results+json")) {
    const data = await response.json();
    if ("boolean" in data) {
      results.replaceChildren(Object.assign(document.createElement("p"), { id: "results-boolean", textContent: data.boolean ? "yes" : "no" }));
      downloads.hidden = true;
      setStatus("Answered in " + seconds + " s.", false);
      return;
    }
    const rows = showTable(data);
    updateDownloads(query, false);
    setStatus(rows + " row" + (rows === 1 ? "" : "s") + " in " + seconds + " s.", false);
  } else {
    const pre = document.createElement("pre");
    pre.textContent = await response.text();
    results.replaceChildren(pre);
    updateDownloads(query, true);
    setStatus("Graph in " + seconds + " s.", false);
  }
}

async function loadExamples() {
  const box = document.getElementById("examples");
  try {
    const response = await fetch("/examples", { headers: { Accept: "application/json" } });
    for (const example of await response.json()) {
      const button = document.createElement("button");
      button.type = "button";
      button.textContent = example.title;
      button.title = example.description;
      button.dataset.name = example.name;
      button.addEventListener("click", () => { queryBox.value = example.query; run(); });
      box.appendChild(button);
    }
  } catch (error) {
    box.textContent = "The example queries could not be loaded.";
  }
}

document.getElementById("run").addEventListener("click", run);
queryBox.addEventListener("keydown", (event) => {
  if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) { event.preventDefault(); run(); }
});
document.getElementById("endpoint").textContent = new URL(ENDPOINT, window.location.href).href;
loadExamples();
