// The result views: a sortable, filterable table, bar and line charts, a timeline, a graph and a map, as plain SVG.
"use strict";

import { compact, hrefOf, plain, termNode } from "./terms.js";

const SVG = "http://www.w3.org/2000/svg";
const DATE = /^(-?\d{4})(?:-(\d\d))?(?:-(\d\d))?/;

function svg(tag, attributes, text) {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes || {})) node.setAttribute(name, value);
  if (text !== undefined) node.textContent = text;
  return node;
}

function isNumber(term) { return term && term.type === "literal" && term.value !== "" && !isNaN(Number(term.value)); }
function isYear(term) { return term && term.type === "literal" && /^-?\d{4}$/.test(term.value); }
function isDate(term) {
  return term && term.type === "literal" && DATE.test(term.value) &&
    (/#(date|dateTime|gYear|gYearMonth)$/.test(term.datatype || "") || /^\d{4}-\d\d(-\d\d)?$/.test(term.value));
}

/** The columns of ``data`` whose every bound value passes ``test``. */
function columns(data, test) {
  return data.vars.filter((name) => {
    const values = data.rows.map((row) => row[name]).filter(Boolean);
    return values.length > 0 && values.every(test);
  });
}

function label(term, prefixes) { return term ? (term.type === "uri" ? compact(term.value, prefixes) : term.value) : ""; }

/** Which views suit ``data``, best first (the table always does). */
export function suitedViews(data) {
  if (data.graph) return ["graph", "table"];
  const numbers = columns(data, isNumber);
  const years = columns(data, isYear);
  const dates = columns(data, isDate);
  const labels = data.vars.filter((name) => !numbers.includes(name));
  const views = ["table"];
  if (years.length && numbers.some((n) => !years.includes(n))) views.push("line");
  if (numbers.some((n) => !years.includes(n)) && labels.length) views.push("bar");
  if (dates.length && data.vars.length > 1) views.push("timeline");
  if (suitsMap(data)) views.push("map");
  return views;
}

/** A table whose headers sort (click again to reverse) and whose rows a filter box narrows. */
export function table(box, data, prefixes) {
  const filter = Object.assign(document.createElement("input"), { type: "search", id: "table-filter", placeholder: "Filter rows" });
  filter.setAttribute("aria-label", "Filter the rows");
  const element = document.createElement("table");
  element.id = "results-table";
  const head = element.createTHead().insertRow();
  const body = element.createTBody();
  let order = data.rows.map((row, index) => index);
  let sorted = { name: null, descending: false };
  function fill() {
    const needle = filter.value.toLowerCase();
    const fragment = document.createDocumentFragment();
    for (const index of order) {
      const row = data.rows[index];
      if (needle && !data.vars.some((name) => plain(row[name]).toLowerCase().includes(needle))) continue;
      const tr = document.createElement("tr");
      for (const name of data.vars) {
        const td = document.createElement("td");
        td.dataset.value = plain(row[name]);
        td.appendChild(termNode(row[name], prefixes));
        tr.appendChild(td);
      }
      fragment.appendChild(tr);
    }
    body.replaceChildren(fragment);
  }
  for (const name of data.vars) {
    const th = document.createElement("th");
    th.scope = "col";
    const button = Object.assign(document.createElement("button"), { type: "button", textContent: name, className: "sort" });
    button.title = "Sort by " + name;
    button.addEventListener("click", () => {
      sorted = { name, descending: sorted.name === name ? !sorted.descending : false };
      const numeric = data.rows.every((row) => !row[name] || isNumber(row[name]));
      const key = (index) => plain(data.rows[index][name]);
      order = data.rows.map((row, index) => index).sort((a, b) => {
        const result = numeric ? Number(key(a) || -Infinity) - Number(key(b) || -Infinity) : key(a).localeCompare(key(b));
        return sorted.descending ? -result : result;
      });
      for (const other of head.querySelectorAll("th")) other.removeAttribute("aria-sort");
      th.setAttribute("aria-sort", sorted.descending ? "descending" : "ascending");
      fill();
    });
    th.appendChild(button);
    head.appendChild(th);
  }
  filter.addEventListener("input", fill);
  fill();
  box.replaceChildren(filter, element);
}

function chartFrame(box, width, height, title) {
  const frame = svg("svg", { viewBox: `0 0 ${width} ${height}`, width: "100%", role: "img", class: "chart" });
  frame.appendChild(svg("title", {}, title));
  box.replaceChildren(frame);
  return frame;
}

/** Horizontal bars: the first label column against the first number column (the 40 largest, in result order). */
export function bar(box, data, prefixes) {
  const years = columns(data, isYear);
  const value = columns(data, isNumber).find((n) => !years.includes(n));
  const name = data.vars.find((v) => v !== value && !columns(data, isNumber).includes(v)) || data.vars.find((v) => v !== value);
  const rows = data.rows.filter((row) => isNumber(row[value])).slice(0, 40);
  const max = Math.max(1, ...rows.map((row) => Number(row[value].value)));
  const frame = chartFrame(box, 800, 24 * rows.length + 30, `${value} by ${name}`);
  rows.forEach((row, i) => {
    const width = (Number(row[value].value) / max) * 420;
    const y = 10 + i * 24;
    frame.appendChild(svg("text", { x: 290, y: y + 15, "text-anchor": "end", class: "axis" }, label(row[name], prefixes).slice(0, 45)));
    const rect = svg("rect", { x: 300, y, width: Math.max(1, width), height: 18, class: "bar" });
    rect.appendChild(svg("title", {}, `${label(row[name], prefixes)}: ${row[value].value}`));
    frame.appendChild(rect);
    frame.appendChild(svg("text", { x: 305 + width, y: y + 15, class: "axis" }, row[value].value));
  });
}

/** A line over the years: the first year column against the first other number column. */
export function line(box, data) {
  const x = columns(data, isYear)[0];
  const y = columns(data, isNumber).find((n) => n !== x);
  const points = data.rows.filter((row) => isYear(row[x]) && isNumber(row[y]))
    .map((row) => [Number(row[x].value), Number(row[y].value)]).sort((a, b) => a[0] - b[0]);
  const frame = chartFrame(box, 800, 320, `${y} per ${x}`);
  if (!points.length) return;
  const [x0, x1] = [points[0][0], points[points.length - 1][0]];
  const top = Math.max(1, ...points.map((p) => p[1]));
  const px = (v) => 60 + ((v - x0) / Math.max(1, x1 - x0)) * 720;
  const py = (v) => 290 - (v / top) * 260;
  frame.appendChild(svg("line", { x1: 60, y1: 290, x2: 780, y2: 290, class: "axis-line" }));
  frame.appendChild(svg("line", { x1: 60, y1: 30, x2: 60, y2: 290, class: "axis-line" }));
  frame.appendChild(svg("text", { x: 55, y: 35, "text-anchor": "end", class: "axis" }, String(top)));
  frame.appendChild(svg("text", { x: 55, y: 290, "text-anchor": "end", class: "axis" }, "0"));
  frame.appendChild(svg("polyline", { points: points.map((p) => `${px(p[0])},${py(p[1])}`).join(" "), class: "line" }));
  const step = Math.max(1, Math.ceil(points.length / 12));
  points.forEach((p, i) => {
    const dot = svg("circle", { cx: px(p[0]), cy: py(p[1]), r: 3, class: "dot" });
    dot.appendChild(svg("title", {}, `${p[0]}: ${p[1]}`));
    frame.appendChild(dot);
    if (i % step === 0) frame.appendChild(svg("text", { x: px(p[0]), y: 308, "text-anchor": "middle", class: "axis" }, String(p[0])));
  });
}

/** Dates at their precision on one axis: a year or a month is a span, a day a dot; one row per result row. */
export function timeline(box, data, prefixes) {
  const when = columns(data, isDate)[0];
  const name = data.vars.find((v) => v !== when);
  const spans = data.rows.filter((row) => isDate(row[when])).slice(0, 200).map((row) => {
    const [, y, m, d] = DATE.exec(row[when].value);
    const start = Date.UTC(Number(y), m ? Number(m) - 1 : 0, d ? Number(d) : 1);
    const end = d ? start + 864e5 : m ? Date.UTC(Number(y), Number(m), 1) : Date.UTC(Number(y) + 1, 0, 1);
    return { row, start, end, precise: Boolean(d) };
  }).sort((a, b) => a.start - b.start);
  const frame = chartFrame(box, 800, 18 * spans.length + 40, `${name} over time`);
  if (!spans.length) return;
  const t0 = spans[0].start;
  const t1 = Math.max(...spans.map((s) => s.end));
  const px = (t) => 300 + ((t - t0) / Math.max(1, t1 - t0)) * 480;
  spans.forEach((span, i) => {
    const y = 10 + i * 18;
    frame.appendChild(svg("text", { x: 290, y: y + 12, "text-anchor": "end", class: "axis" }, label(span.row[name], prefixes).slice(0, 45)));
    const mark = span.precise
      ? svg("circle", { cx: px(span.start), cy: y + 8, r: 4, class: "dot" })
      : svg("rect", { x: px(span.start), y: y + 3, width: Math.max(3, px(span.end) - px(span.start)), height: 10, class: "bar" });
    mark.appendChild(svg("title", {}, `${label(span.row[name], prefixes)}: ${span.row[when].value}`));
    frame.appendChild(mark);
  });
  const bottom = 18 * spans.length + 30;
  frame.appendChild(svg("text", { x: 300, y: bottom, class: "axis" }, new Date(t0).toISOString().slice(0, 10)));
  frame.appendChild(svg("text", { x: 780, y: bottom, "text-anchor": "end", class: "axis" }, new Date(t1).toISOString().slice(0, 10)));
}

/** The triples of a CONSTRUCT or DESCRIBE as nodes on a circle (IRIs and blank nodes) joined by labelled arrows;
 * literals are listed under their subject's name in its tooltip. */
export function graph(box, data, prefixes) {
  const triples = (data.triples || []).slice(0, 400);
  const nodes = new Map();
  const literals = new Map();
  const key = (term) => term.type + " " + term.value;
  for (const [s, p, o] of triples) {
    if (!nodes.has(key(s))) nodes.set(key(s), s);
    if (o.type === "literal") literals.set(key(s), [...(literals.get(key(s)) || []), `${compact(p.value, prefixes)} ${o.value}`]);
    else if (!nodes.has(key(o))) nodes.set(key(o), o);
  }
  const list = [...nodes.entries()].slice(0, 120);
  const place = new Map();
  const radius = Math.max(120, list.length * 9);
  const size = 2 * radius + 240;
  list.forEach(([k], i) => {
    const angle = (2 * Math.PI * i) / list.length;
    place.set(k, [size / 2 + radius * Math.cos(angle), size / 2 + radius * Math.sin(angle)]);
  });
  const frame = chartFrame(box, size, size, "The result's graph");
  for (const [s, p, o] of triples) {
    const [a, b] = [place.get(key(s)), place.get(key(o))];
    if (!a || !b || o.type === "literal") continue;
    const edge = svg("line", { x1: a[0], y1: a[1], x2: b[0], y2: b[1], class: "edge" });
    edge.appendChild(svg("title", {}, compact(p.value, prefixes)));
    frame.appendChild(edge);
  }
  for (const [k, term] of list) {
    const [x, y] = place.get(k);
    const href = term.type === "uri" ? hrefOf(term.value) : null;
    const group = svg(href ? "a" : "g", href ? { href } : {});
    const dot = svg("circle", { cx: x, cy: y, r: 6, class: "node" });
    dot.appendChild(svg("title", {}, [label(term, prefixes), ...(literals.get(k) || [])].join("\n")));
    group.append(dot, svg("text", { x: x + 8, y: y + 4, class: "axis" }, label(term, prefixes).slice(0, 40)));
    frame.appendChild(group);
  }
}

const COUNTRY = /\/jurisdiction\/([a-z]{2})$/;

/** The two-letter country code a term names: one of our jurisdiction IRIs, or an ISO 3166-1 alpha-2 literal. */
function countryCode(term) {
  if (!term) return null;
  if (term.type === "uri") return (COUNTRY.exec(term.value) || [])[1] || null;
  return term.type === "literal" && /^[A-Za-z]{2}$/.test(term.value) ? term.value.toLowerCase() : null;
}

let world = null;
function loadWorld() {
  world = world || Promise.all(["countries-110m.json", "iso-3166-numeric.json"].map((file) =>
    fetch("/static/workbench/vendor/" + file).then((response) => response.json())));
  return world;
}

/** TopoJSON (world-atlas) to SVG paths, in an equirectangular projection 2 px per degree. */
function countryPaths(topology) {
  const [sx, sy] = topology.transform.scale;
  const [tx, ty] = topology.transform.translate;
  const arcs = topology.arcs.map((arc) => {
    let x = 0;
    let y = 0;
    return arc.map(([dx, dy]) => { x += dx; y += dy; return [(x * sx + tx + 180) * 2, (90 - (y * sy + ty)) * 2]; });
  });
  const ring = (indices) => indices.flatMap((i, n) => {
    const points = i >= 0 ? arcs[i] : arcs[~i].slice().reverse();
    return n ? points.slice(1) : points;
  });
  const draw = (points) => points.map((p, i) => (i && Math.abs(p[0] - points[i - 1][0]) < 300 ? "L" : "M") +
    p[0].toFixed(1) + "," + p[1].toFixed(1)).join("");  // a ring that crosses the antimeridian is cut there
  const path = (rings) => rings.map((r) => draw(ring(r)) + "Z").join("");
  return topology.objects.countries.geometries.map((g) => ({
    id: g.id, name: (g.properties || {}).name || "",
    d: g.type === "Polygon" ? path(g.arcs) : g.type === "MultiPolygon" ? g.arcs.map(path).join("") : "",
  }));
}

/** The countries a result names, shaded by its first number column (or marked when there is none). */
export async function map(box, data, prefixes) {
  const code = data.vars.find((name) => data.rows.some((row) => countryCode(row[name])));
  const value = columns(data, isNumber)[0];
  const frame = chartFrame(box, 720, 360, `Countries (${code})` + (value ? ` by ${value}` : ""));
  const [topology, numeric] = await loadWorld();
  const totals = new Map();
  for (const row of data.rows) {
    const country = countryCode(row[code]);
    if (country && numeric[country]) totals.set(numeric[country], (totals.get(numeric[country]) || 0) + (value ? Number(row[value]?.value || 0) : 1));
  }
  const top = Math.max(1, ...totals.values());
  for (const country of countryPaths(topology)) {
    const total = totals.get(country.id);
    const shape = svg("path", { d: country.d, class: total ? "country named" : "country" });
    if (total) shape.setAttribute("fill-opacity", String(0.25 + 0.75 * (total / top)));
    shape.appendChild(svg("title", {}, country.name + (total ? ": " + total : "")));
    frame.appendChild(shape);
  }
}

export function suitsMap(data) { return !data.graph && data.vars.some((name) => data.rows.some((row) => countryCode(row[name]))); }

export const VIEWS = { table, bar, line, timeline, graph, map };
