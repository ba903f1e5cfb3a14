// The visual query builder: steps chosen from the model our SHACL shapes give (/api/builder), written as SPARQL.
"use strict";

const BASE = "https://w3id.org/ai-incidents/";
const SAFE_IRI = /^[^<>"{}|^`\\\s]+$/;
const PNAME = /^[A-Za-z][\w.-]*:[A-Za-z_][\w.-]*$/;

export const SAMPLES = {
  "met-facial-recognition": {
    title: "Incidents where the Metropolitan Police deployed facial recognition",
    root: "kg:Incident", mode: "list",
    steps: [
      { from: "incident", edge: "out kg:involvesSystem kg:AISystem" },
      { from: "aisystem", edge: "in kg:involvedIn kg:Involvement" },
      { from: "involvement", edge: "out kg:role kg:Role", value: "kg:deployer" },
      { from: "involvement", edge: "out kg:agent kg:Agent", value: BASE + "id/org/metropolitan-police-service" },
      { from: "aisystem", edge: "out kg:technology ", value: BASE + "id/concept/technology/facial-recognition" },
    ],
  },
  "uk-per-year": {
    title: "Incidents in the United Kingdom per year", root: "kg:Incident", mode: "per-year",
    steps: [
      { from: "incident", edge: "out kg:jurisdiction ", value: BASE + "id/concept/jurisdiction/gb" },
      { from: "incident", edge: "out kg:occurred " },
    ],
  },
  "develop-and-deploy": {
    title: "Organisations that both develop and deploy", root: "kg:Organisation", mode: "list",
    steps: [
      { from: "organisation", edge: "in kg:agent kg:Involvement" },
      { from: "involvement", edge: "out kg:role kg:Role", value: "kg:developer" },
      { from: "organisation", edge: "in kg:agent kg:Involvement" },
      { from: "involvement2", edge: "out kg:role kg:Role", value: "kg:deployer" },
    ],
  },
};

function local(name) { return name.split(":").pop().replace(/[^\w]/g, "").toLowerCase() || "x"; }

function term(value) {
  if (PNAME.test(value)) return value;
  if (SAFE_IRI.test(value)) return "<" + value + ">";
  throw new Error("not an IRI: " + value);
}

/** The variables of a builder state, in order: [name, class] (a step without a value makes one). */
export function variables(state) {
  const vars = [[local(state.root), state.root]];
  const used = new Set([vars[0][0]]);
  for (const step of state.steps) {
    const [, path, target] = step.edge.split(" ");
    if (step.value) { step.var = null; continue; }
    let name = local(target || path);
    for (let i = 2; used.has(name); i++) name = local(target || path) + i;
    used.add(name);
    step.var = name;
    vars.push([name, target || ""]);
  }
  return vars;
}

/** The SPARQL that a builder state asks. Each branch that leaves the start node is a sub-select of the distinct
 * start nodes it allows (it only narrows which start nodes qualify, so joining distinct nodes avoids every
 * combination of matches; the engine's FILTER EXISTS is far slower), except the branch that binds the date counted
 * per year. */
export function toSparql(state) {
  const root = variables(state)[0][0];
  const branchOf = {};
  const branches = [];
  let date = null;
  for (const step of state.steps) {
    const [direction, path, target] = step.edge.split(" ");
    const other = step.value ? term(step.value) : "?" + step.var;
    const branch = step.from === root || !(step.from in branchOf) ? branches.push({ lines: [], date: false }) - 1 : branchOf[step.from];
    if (step.var) branchOf[step.var] = branch;
    branches[branch].lines.push(direction === "out" ? `?${step.from} ${path} ${other} .` : `${other} ${path} ?${step.from} .`);
    if (!step.value && !target && !date) { date = step.var; branches[branch].date = true; }
  }
  const perYear = state.mode === "per-year" && date;
  const lines = [`  ?${root} a ${state.root} .`];
  for (const branch of branches) {
    if (perYear && branch.date) lines.push(...branch.lines.map((line) => "  " + line));
    else lines.push(`  { SELECT DISTINCT ?${root} WHERE {\n` + branch.lines.map((line) => "      " + line).join("\n") + "\n  } }");
  }
  if (perYear) {
    return `SELECT ?year (COUNT(DISTINCT ?${root}) AS ?${root}s) WHERE {\n${lines.join("\n")}\n` +
      `  BIND (SUBSTR(STR(?${date}), 1, 4) AS ?year)\n}\nGROUP BY ?year\nORDER BY ?year`;
  }
  return `SELECT ?${root} (SAMPLE(?name) AS ?label) WHERE {\n${lines.join("\n")}\n` +
    `  OPTIONAL { ?${root} rdfs:label|dct:title|skos:prefLabel ?name }\n}\nGROUP BY ?${root}\nORDER BY ?label`;
}

/** The builder's form: the start class, one row per step (from, property, value), the output and the SPARQL. */
export class Builder {
  constructor(box, model, onRun, onOpen) {
    this.box = box;
    this.model = model;
    this.onRun = onRun;
    this.onOpen = onOpen;
    this.state = structuredClone(SAMPLES["met-facial-recognition"]);
    this.render();
  }

  load(name) { this.state = structuredClone(SAMPLES[name]); this.render(); }

  edges(className) {
    const entry = this.model.classes[className];
    if (!entry) return [];
    return [
      ...entry.properties.map((p) => [`out ${p.path} ${p.target || ""}`, `${p.label} → ${p.target ? this.model.classes[p.target]?.label || p.target : p.schemes.join(", ") || "value"}`]),
      ...entry.incoming.map((p) => [`in ${p.path} ${p.source}`, `← ${p.label} of ${this.model.classes[p.source]?.label || p.source}`]),
    ];
  }

  select(label, options, value, onChange) {
    const element = document.createElement("select");
    element.setAttribute("aria-label", label);
    for (const [key, text] of options) element.appendChild(Object.assign(document.createElement("option"), { value: key, textContent: text, selected: key === value }));
    element.addEventListener("change", () => { onChange(element.value); this.render(); });
    return element;
  }

  render() {
    const vars = variables(this.state);
    const classOf = Object.fromEntries(vars);
    const rows = [];
    const start = document.createElement("p");
    start.append("Find each ", this.select("Start with", Object.entries(this.model.classes).map(([k, v]) => [k, v.label]),
      this.state.root, (v) => { this.state = { root: v, mode: "list", steps: [] }; }), ` (?${vars[0][0]})`);
    rows.push(start);
    const list = document.createElement("ol");
    this.state.steps.forEach((step, i) => {
      const item = document.createElement("li");
      item.className = "builder-step";
      const from = this.select(`Step ${i + 1}: from`, vars.filter(([name]) => name !== step.var).map(([n, c]) => [n, `?${n} (${this.model.classes[c]?.label || c})`]), step.from, (v) => { step.from = v; });
      const edge = this.select(`Step ${i + 1}: property`, this.edges(classOf[step.from]), step.edge, (v) => { step.edge = v; step.value = ""; });
      const [, path, target] = step.edge.split(" ");
      const prop = this.model.classes[classOf[step.from]]?.properties.find((p) => p.path === path && (p.target || "") === (target || ""));
      let value;
      if (prop && prop.values.length) {
        value = this.select(`Step ${i + 1}: value`, [["", "any"], ...prop.values.map((v) => [v, v])], step.value || "", (v) => { step.value = v; });
      } else {
        value = Object.assign(document.createElement("input"), { type: "text", value: step.value || "", placeholder: "any (or type a name)" });
        value.setAttribute("aria-label", `Step ${i + 1}: value`);
        const choices = Object.assign(document.createElement("datalist"), { id: `builder-choices-${i}` });
        value.setAttribute("list", choices.id);
        value.addEventListener("input", async () => {
          if (value.value.length < 3 || value.value.includes("/")) return;
          const response = await fetch("/api/complete?" + new URLSearchParams({ q: value.value }));
          if (response.ok) choices.replaceChildren(...(await response.json()).map((t) => Object.assign(document.createElement("option"), { value: t.iri, label: t.label })));
        });
        value.addEventListener("change", () => { step.value = value.value.trim(); this.render(); });
        item.appendChild(choices);
      }
      const remove = Object.assign(document.createElement("button"), { type: "button", textContent: "Remove" });
      remove.setAttribute("aria-label", `Remove step ${i + 1}`);
      remove.addEventListener("click", () => { this.state.steps.splice(i, 1); this.render(); });
      item.prepend(from, " ", edge, " ", value, step.var ? ` as ?${step.var} ` : " ", remove);
      list.appendChild(item);
    });
    rows.push(list);
    const add = Object.assign(document.createElement("button"), { type: "button", textContent: "Add a step" });
    add.addEventListener("click", () => {
      const edges = this.edges(this.state.root);
      this.state.steps.push({ from: vars[0][0], edge: edges[0] ? edges[0][0] : "" });
      this.render();
    });
    const mode = this.select("Show", [["list", "list them"], ["per-year", "count them per year (of the first value step)"]], this.state.mode, (v) => { this.state.mode = v; });
    const output = document.createElement("p");
    output.append(add, " Show: ", mode);
    rows.push(output);
    const code = document.createElement("pre");
    code.id = "builder-sparql";
    try { code.textContent = toSparql(this.state); } catch (error) { code.textContent = String(error.message); }
    const run = Object.assign(document.createElement("button"), { type: "button", id: "builder-run", textContent: "Run" });
    run.addEventListener("click", () => this.onRun(code.textContent));
    const open = Object.assign(document.createElement("button"), { type: "button", id: "builder-open", textContent: "Open in the editor" });
    open.addEventListener("click", () => this.onOpen(code.textContent));
    const actions = document.createElement("p");
    actions.append(run, " ", open);
    rows.push(code, actions);
    this.box.replaceChildren(...rows);
  }
}
