// The command-center console. It calls only the public API, with the key the person
// signed in with, so everything it does a script can do too.

const $ = (id) => document.getElementById(id);
const SVG = "http://www.w3.org/2000/svg";
const POLL_MS = 500;

const state = { key: sessionStorage.getItem("taskforce-key") || "", scenarioId: null,
                scenario: null, resource: null, visible: null, rosterId: null, roster: null,
                jobId: null, job: null, whatIf: null, sweep: null, timer: null,
                lang: localStorage.getItem("taskforce-lang") || browserLanguage() };
let words = {};  // the console's words in state.lang, from GET /messages/{lang}
let wordsLoaded = null;  // the first load: API calls wait for it, so nothing shows a code

// The browser's own language decides until the reader picks one: Chinese for any zh-*.
function browserLanguage() {
  return (navigator.languages || [navigator.language]).some((l) => /^zh\b/i.test(l || "")) ? "zh" : "en";
}

function t(code, params = {}) {
  let text = words[code] || code;
  for (const [k, v] of Object.entries(params)) text = text.replaceAll(`{${k}}`, v);
  return text;
}

// A word of the vocabulary (a job state, a solver phase, a roster status); a value the
// catalogue does not know reads as itself rather than as a code.
function term(prefix, value) {
  return words[`${prefix}.${value}`] || value;
}

// A day of a chart's axis: "6月10日" in Chinese, "06-10" in English.
function shortDay(iso) {
  const [, m, d] = iso.split("-");
  return state.lang === "zh" ? `${Number(m)}月${Number(d)}日` : `${m}-${d}`;
}

async function setLanguage(lang) {
  state.lang = lang;
  localStorage.setItem("taskforce-lang", lang);
  const answer = await fetch(`/messages/${lang}`);
  words = (await answer.json()).messages;
  document.documentElement.lang = lang === "zh" ? "zh-CN" : "en";
  for (const node of document.querySelectorAll("[data-i18n]")) node.textContent = t(node.dataset.i18n);
  for (const node of document.querySelectorAll("[data-i18n-placeholder]")) node.placeholder = t(node.dataset.i18nPlaceholder);
  for (const node of document.querySelectorAll("[data-i18n-label]")) node.setAttribute("aria-label", t(node.dataset.i18nLabel));
  $("lang").value = lang;
  // Everything already on the page is shown again in the new language.
  if (state.visible !== null) showVisible(state.visible);
  if (state.resource) showScenario(state.resource);
  if (state.job) showProgress(state.job);
  if (state.rosterId) await showRoster(state.rosterId);  // its reasons, in the new language
  if (state.whatIf) showWhatIf(await reworded(state.whatIf));
  if (state.sweep) showSweep(await api("GET", `/sweeps/${state.sweep.id}`));
}

// A what-if answer with both rosters read again, so that their reasons are in the
// language just chosen (they were worded in the language of the request).
async function reworded(result) {
  const [variant] = result.variants;
  const [base, after] = await Promise.all([api("GET", `/rosters/${result.base_roster_id}`),
                                           api("GET", `/rosters/${variant.roster_id}`)]);
  return { ...result, base: base.roster, variants: [{ ...variant, roster: after.roster }] };
}

// --- talking to the API -----------------------------------------------------------------

// A workbook's problem, by sheet, row and column, as the command line says it.
function workbookProblem(e) {
  const column = [e.column, e.header].filter(Boolean).join(" ");
  if (e.row === null || e.row === undefined) return t("sheet.problem_sheet", { sheet: e.sheet, problem: e.message });
  const params = { sheet: e.sheet, row: e.row, column, id: e.id, problem: e.message };
  return t(e.id ? "sheet.problem" : "sheet.problem_noid", params);
}

class Problem extends Error {
  constructor(status, body) {
    const errors = (body && body.errors) || [];
    const lines = errors.map((e) => (e.sheet ? workbookProblem(e)
      : e.id ? `${e.id}: ${e.message}` : e.message));
    super([(body && body.detail) || t("console.http", { status }), ...lines].join("\n"));
    this.status = status;
    this.errors = errors;
  }
}

async function api(method, path, body) {
  if (wordsLoaded) await wordsLoaded;
  const headers = { Authorization: `Bearer ${state.key}` };
  headers["Accept-Language"] = state.lang;
  // A FormData (a workbook) sets its own multipart Content-Type; anything else is JSON.
  const form = body instanceof FormData;
  if (body !== undefined && !form) headers["Content-Type"] = "application/json";
  const answer = await fetch(path, { method, headers,
                                     body: body === undefined || form ? body : JSON.stringify(body) });
  const text = await answer.text();
  const data = text ? JSON.parse(text) : null;
  if (!answer.ok) throw new Problem(answer.status, data);
  return data;
}

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") node.className = v;
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v);
  }
  for (const c of children) node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return node;
}

function svg(tag, attrs = {}) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  return node;
}

function showError(err) {
  $("error").textContent = err ? err.message : "";
}

async function guarded(work) {
  showError(null);
  try { await work(); } catch (err) { showError(err); }
}

// --- signing in and picking a scenario --------------------------------------------------

async function signIn(key) {
  state.key = key;
  const page = await api("GET", "/scenarios?limit=500");
  sessionStorage.setItem("taskforce-key", key);
  showVisible(page.total);
  $("sign-out").hidden = false;
  $("app").hidden = false;
  fillScenarios(page.items);
}

function showVisible(total) {
  state.visible = total;
  $("who").textContent = t("console.signed_in", { total });
}

function fillScenarios(items) {
  const pick = $("scenario-pick");
  pick.replaceChildren(...items.map((s) => el("option", { value: s.id }, `${s.name} (v${s.version})`)));
}

async function openScenario(id) {
  const resource = await api("GET", `/scenarios/${id}`);
  state.scenarioId = id;
  state.scenario = resource.scenario;
  state.rosterId = state.roster = state.job = state.whatIf = null;
  $("workspace").hidden = false;
  $("roster-section").hidden = true;
  $("whatif-section").hidden = true;
  $("whatif-result").replaceChildren();
  $("progress").replaceChildren();
  showScenario(resource);
}

// The scenario's status line, map and what-if choices, in the reader's language.
function showScenario(resource) {
  state.resource = resource;
  $("scenario-status").textContent = t("console.scenario_status", {
    name: resource.name, version: resource.version, units: resource.scenario.units.length,
    people: resource.scenario.prosecutors.length, cases: resource.scenario.cases.length });
  drawMap(resource.scenario, null);
  fillWhatIf(resource.scenario);
}

async function upload(file) {
  let data;
  if (file.name.toLowerCase().endsWith(".xlsx")) {
    data = new FormData();
    data.append("workbook", file);
  } else {
    data = JSON.parse(await file.text());
  }
  const created = await api("POST", "/scenarios", data);
  const page = await api("GET", "/scenarios?limit=500");
  showVisible(page.total);
  fillScenarios(page.items);
  $("scenario-pick").value = created.id;
  await openScenario(created.id);
}

// --- the map ----------------------------------------------------------------------------

function projection(units) {
  const lats = units.map((u) => u.location.lat), lons = units.map((u) => u.location.lon);
  const midLat = (Math.min(...lats) + Math.max(...lats)) / 2;
  const kx = Math.cos((midLat * Math.PI) / 180);
  const w = Math.max((Math.max(...lons) - Math.min(...lons)) * kx, 1e-3);
  const h = Math.max(Math.max(...lats) - Math.min(...lats), 1e-3);
  const scale = Math.min(560 / w, 360 / h);
  return (u) => [40 + (u.location.lon - Math.min(...lons)) * kx * scale,
                 40 + (Math.max(...lats) - u.location.lat) * scale];
}

function drawMap(scenario, highlight) {
  const map = $("map");
  map.replaceChildren();
  map.setAttribute("viewBox", "0 0 640 440");
  const at = projection(scenario.units);
  const unit = Object.fromEntries(scenario.units.map((u) => [u.id, u]));
  const line = (a, b, cls) => {
    const [x1, y1] = at(unit[a]), [x2, y2] = at(unit[b]);
    map.append(svg("line", { x1, y1, x2, y2, class: cls }));
  };
  for (const r of scenario.roads) line(r.a, r.b, "road");
  for (const p of scenario.pairs) line(p.units[0], p.units[1], "pair");
  for (const g of scenario.groups) for (const m of g.members) if (m !== g.lead) line(g.lead, m, "group");
  if (highlight) for (const m of highlight.team) if (m.home !== highlight.venue) line(m.home, highlight.venue, "travel");
  const staff = {};
  for (const p of scenario.prosecutors) staff[p.home] = (staff[p.home] || 0) + 1;
  const involved = new Set(highlight ? [highlight.venue, ...highlight.team.map((m) => m.home)] : []);
  // Dots first, labels after, so that a label is never hidden under another office's dot.
  const dots = scenario.units.map((u) => {
    const [x, y] = at(u);
    const r = 4 + 2.5 * Math.sqrt(staff[u.id] || 0);
    const dot = svg("circle", { cx: x, cy: y, r, class: involved.has(u.id) ? "unit chosen" : "unit" });
    const title = svg("title");
    title.textContent = t("console.staff_count", { office: officeName(u.id), people: staff[u.id] || 0 });
    dot.append(title);
    map.append(dot);
    return { u, x, y, r };
  });
  const boxes = [];
  for (const { u, x, y, r } of dots) {
    const box = labelBox(officeName(u.id), x, y, r, boxes);
    boxes.push(box);
    const label = svg("text", { x: box.x, y: box.y + box.h - 2, class: "label" });
    label.textContent = officeName(u.id);
    map.append(label);
  }
}

// Seats a few kilometres apart would print their names over each other: try right, left,
// above and below the dot, then step further down until the label is clear of the others.
const LABEL_H = 12;
function labelBox(text, x, y, r, taken) {
  const w = text.length * 6;
  const spots = [[x + r + 2, y - 6], [x - r - 2 - w, y - 6], [x - w / 2, y - r - LABEL_H - 1],
                 [x - w / 2, y + r + 1]];
  for (let step = 1; step < 20; step++) spots.push([x + r + 2, y - 6 + step * LABEL_H]);
  const clear = (b) => !taken.some((o) => b.x < o.x + o.w && o.x < b.x + b.w &&
                                          b.y < o.y + o.h && o.y < b.y + b.h);
  for (const [bx, by] of spots) {
    const box = { x: bx, y: by, w, h: LABEL_H };
    if (clear(box)) return box;
  }
  return { x: x + r + 2, y: y - 6, w, h: LABEL_H };
}

// --- solving ----------------------------------------------------------------------------

async function solve(seconds) {
  const job = await api("POST", "/jobs", { scenario_id: state.scenarioId, seconds });
  state.jobId = job.id;
  $("cancel").hidden = false;
  showProgress(job);
  clearInterval(state.timer);
  state.timer = setInterval(() => guarded(poll), POLL_MS);
}

async function poll() {
  const job = await api("GET", `/jobs/${state.jobId}`);
  showProgress(job);
  if (["done", "failed", "cancelled"].includes(job.state)) {
    clearInterval(state.timer);
    $("cancel").hidden = true;
    if (job.roster_id) await showRoster(job.roster_id);
  }
}

function showProgress(job) {
  state.job = job;
  // Progress reports the best roster while solving; once done, the roster's own figures.
  const obj = job.roster && job.roster.objective;
  const p = obj ? { phase: term("status", job.roster.status), staffed_priority: obj.staffed_priority,
                    cost: obj.cost, bound: job.roster.bound, priority_bound: job.roster.priority_bound }
                : { ...(job.progress || {}) };
  if (!obj && p.phase != null) p.phase = term("phase", p.phase);
  const most = p.priority_bound != null ? t("console.at_most", { bound: p.priority_bound }) : "";
  const rows = [["state", term("job", job.state)], ["phase", p.phase ?? "—"],
                ["priority", p.staffed_priority != null ? `${p.staffed_priority}${most}` : "—"],
                ["cost", p.cost != null ? p.cost.toFixed(1) : "—"],
                ["bound", p.bound != null ? p.bound.toFixed(1) : "—"],
                ["elapsed", job.elapsed != null ? job.elapsed.toFixed(1) : "—"]];
  if (job.error) rows.push(["error", job.error]);
  $("progress").replaceChildren(...rows.flatMap(([k, v]) => [el("dt", {}, t(`console.p_${k}`)), el("dd", {}, v)]));
}

// --- the roster -------------------------------------------------------------------------

function teamTable(entry, marks = {}) {
  if (!entry.staffed) {
    return el("p", { class: "unstaffed" },
              t("console.unstaffed", { reason: reasonText(entry.unstaffed_reason) || t("console.no_reason") }));
  }
  const rows = entry.team.map((m) => el("tr", { class: marks[m.prosecutor] || "" },
    el("td", {}, t(`slot.${m.slot}`)), el("td", {}, personName(m)), el("td", {}, officeName(m.home)),
    el("td", { class: "num" }, m.on_site ? m.travel_minutes.toFixed(0) : t("member.video")),
    el("td", {}, (m.reasons || []).map(reasonText).join(t("sep.semicolon")))));
  return el("table", {},
    el("thead", {}, el("tr", {}, ...["col_slot", "col_person", "col_home", "col_travel", "col_reasons"]
      .map((h) => el("th", {}, t(`console.${h}`))))),
    el("tbody", {}, ...rows));
}

// Chinese names in the Chinese view, where the scenario gives them.
function officeName(id) {
  const u = state.scenario && state.scenario.units.find((x) => x.id === id);
  return u ? (state.lang === "zh" && u.name_zh) || u.name : id;
}

function personName(m) {
  const p = state.scenario && state.scenario.prosecutors.find((x) => x.id === m.prosecutor);
  return (state.lang === "zh" && p && p.name_zh) || m.name || m.prosecutor;
}

async function showRoster(rosterId) {
  const view = await api("GET", `/rosters/${rosterId}`);
  state.rosterId = rosterId;
  state.roster = view.roster;
  const r = view.roster;
  const obj = r.objective;
  $("roster-summary").textContent = obj
    ? t("console.summary", { status: t(`status.${r.status}`), priority: obj.staffed_priority,
                             cost: obj.cost.toFixed(1) })
    : `— ${t(`status.${r.status}`)}`;
  const cases = Object.fromEntries(state.scenario.cases.map((c) => [c.id, c]));
  $("roster").replaceChildren(...r.cases.map((entry) => {
    const c = cases[entry.id];
    const show = el("button", { type: "button", class: "case-button",
                                onclick: () => drawMap(state.scenario, { venue: c.venue, team: entry.team }) },
                    `${entry.id}${c && c.title ? ` — ${(state.lang === "zh" && c.title_zh) || c.title}` : ""}`);
    return el("article", { class: entry.staffed ? "case" : "case unstaffed-case" }, el("h3", {}, show),
              teamTable(entry));
  }));
  $("commit-cases").replaceChildren(el("legend", {}, t("console.commit_cases")),
    ...r.cases.filter((c) => c.staffed).map((c) => el("label", {},
      el("input", { type: "checkbox", value: c.id, checked: "" }), ` ${c.id}`)));
  $("commit-result").textContent = "";
  $("roster-section").hidden = false;
  $("whatif-section").hidden = false;
  $("sweep-section").hidden = false;
  await showUtilisation(rosterId);
}

async function showUtilisation(rosterId) {
  const u = await api("GET", `/rosters/${rosterId}/utilisation`);
  const cell = 16, left = 230, top = 20;
  const rows = u.people.length + u.offices.length;
  const width = left + u.days.length * cell + 10, height = top + rows * cell + 24;
  const chart = svg("svg", { viewBox: `0 0 ${width} ${height}`, width, height,
                             role: "img", "aria-label": t("console.chart_label"), class: "heat" });
  u.days.forEach((d, i) => {
    if (i % 7 === 0) {
      const tick = svg("text", { x: left + i * cell, y: 12, class: "tick" });
      tick.textContent = shortDay(d);
      chart.append(tick);
    }
  });
  const label = (y, text) => {
    // Long names are cut to fit the label column; the whole name is in the tooltip.
    const tick = svg("text", { x: 0, y: y + cell - 2, class: "tick" });
    tick.textContent = text.length > 36 ? `${text.slice(0, 35)}…` : text;
    const title = svg("title");
    title.textContent = text;
    tick.append(title);
    chart.append(tick);
  };
  u.people.forEach((p, row) => {
    const y = top + row * cell;
    const name = personName({ prosecutor: p.id, name: p.name });
    label(y, t("console.person_home", { name, office: officeName(p.home) }));
    p.load.forEach((load, i) => {
      const share = load / p.capacity;
      const rect = svg("rect", { x: left + i * cell, y, width: cell - 1, height: cell - 1,
                                 class: share >= 1 - 1e-9 ? "full" : "load",
                                 "fill-opacity": Math.max(0.05, Math.min(1, share)) });
      const title = svg("title");
      title.textContent = t("console.load_title", { name, day: u.days[i], share: Math.round(100 * share) });
      rect.append(title);
      chart.append(rect);
    });
  });
  u.offices.forEach((o, k) => {
    const y = top + (u.people.length + k) * cell + 6;
    const office = officeName(o.unit);
    label(y, t("console.at_home", { office }));
    o.at_home.forEach((home, i) => {
      const rect = svg("rect", { x: left + i * cell, y, width: cell - 1, height: cell - 1,
                                 class: home <= o.need[i] ? "minimum" : "spare" });
      const title = svg("title");
      title.textContent = t("console.home_title", { office, day: u.days[i], home, need: o.need[i] });
      rect.append(title);
      chart.append(rect);
    });
  });
  $("utilisation").replaceChildren(chart);
}

// --- committing -------------------------------------------------------------------------

async function commit() {
  const cases = [...$("commit-cases").querySelectorAll("input:checked")].map((i) => i.value);
  const out = $("commit-result");
  try {
    const made = await api("POST", `/rosters/${state.rosterId}/commit`,
                           { cases, reason: $("commit-reason").value });
    out.className = "ok";
    out.textContent = t("console.committed", { cases: made.cases.join(t("sep.comma")),
                                               assignments: made.commitments.length });
  } catch (err) {
    if (!(err instanceof Problem) || err.status !== 409) throw err;
    out.className = "conflict";
    out.replaceChildren(el("strong", {}, t("console.commit_refused")), " ",
                        el("span", {}, err.message.split("\n")[0]),
                        el("ul", {}, ...err.errors.map((e) => el("li", {}, `${e.id}: ${e.message}`))),
                        el("span", {}, t("console.solve_again")));
  }
}

// --- what if ----------------------------------------------------------------------------

function fillWhatIf(s) {
  $("wi-person").replaceChildren(el("option", { value: "" }, t("console.nobody")),
    ...s.prosecutors.map((p, i) => el("option", { value: i }, `${p.name} (${officeName(p.home)})`)));
  $("wi-road").replaceChildren(el("option", { value: "" }, t("console.none")),
    ...s.roads.map((r, i) => el("option", { value: i }, t("console.road_option", { a: officeName(r.a), b: officeName(r.b), minutes: r.minutes }))));
  $("wi-case-venue").replaceChildren(...s.units.map((u) => el("option", { value: u.id }, officeName(u.id))));
  const first = s.cases.length ? s.cases.map((c) => c.start).sort()[0] : "";
  const last = s.cases.length ? s.cases.map((c) => c.end).sort().at(-1) : "";
  for (const id of ["wi-start", "wi-case-start"]) $(id).value = first;
  for (const id of ["wi-end", "wi-case-end"]) $(id).value = last;
}

function whatIfPatch() {
  const patch = [];
  const person = $("wi-person").value;
  if (person !== "") {
    patch.push({ op: "add", path: `/prosecutors/${person}/unavailable/-`,
                 value: { start: $("wi-start").value, end: $("wi-end").value } });
  }
  const road = $("wi-road").value;
  if (road !== "") patch.push({ op: "remove", path: `/roads/${road}` });
  const caseId = $("wi-case-id").value.trim();
  if (caseId) {
    patch.push({ op: "add", path: "/cases/-", value: {
      id: caseId, kind: $("wi-case-kind").value, venue: $("wi-case-venue").value,
      start: $("wi-case-start").value, end: $("wi-case-end").value,
      team: { members: { prosecutor: Number($("wi-case-size").value) } } } });
  }
  return patch;
}

async function whatIf() {
  const patch = whatIfPatch();
  if (!patch.length) throw new Error(t("console.choose_change"));
  const result = await api("POST", `/scenarios/${state.scenarioId}/what-if`,
                           { base_roster_id: state.rosterId, variants: [{ name: $("wi-name").value, patch }] });
  showWhatIf(result);
}

// A what-if's answer: the figures before and after, and each team that changed. The
// rosters' reasons are in the language the answer was asked in.
function showWhatIf(result) {
  state.whatIf = result;
  const [variant] = result.variants;
  const c = variant.comparison;
  const deltas = [["d_priority", c.staffed_priority], ["d_cost", c.cost],
                  ["d_travel", c.travel_minutes], ["d_peak", c.peak_utilisation]];
  const figures = el("table", { class: "deltas" },
    el("thead", {}, el("tr", {}, ...["", t("console.before"), t("console.after"), t("console.change")]
      .map((h) => el("th", {}, h)))),
    el("tbody", {}, ...deltas.map(([name, d]) => el("tr", { class: d.change ? "changed" : "" },
      el("td", {}, t(`console.${name}`)), el("td", { class: "num" }, d.before.toFixed(1)),
      el("td", { class: "num" }, d.after.toFixed(1)), el("td", { class: "num" }, d.change.toFixed(1))))));
  const before = Object.fromEntries(result.base.cases.map((e) => [e.id, e]));
  const after = Object.fromEntries(variant.roster.cases.map((e) => [e.id, e]));
  const changed = c.cases.length
    ? c.cases.map((ch) => {
        const marksOld = Object.fromEntries(ch.leaves.map((p) => [p, "leaves"]));
        const marksNew = Object.fromEntries(ch.joins.map((p) => [p, "joins"]));
        return el("article", { class: "changed-case" }, el("h3", {}, ch.case),
          el("div", { class: "side-by-side" },
            el("div", {}, el("h4", {}, t("console.before")), before[ch.case] ? teamTable(before[ch.case], marksOld) : el("p", {}, t("console.not_in_base"))),
            el("div", {}, el("h4", {}, t("console.after")), after[ch.case] ? teamTable(after[ch.case], marksNew) : el("p", {}, t("console.not_in_variant")))));
      })
    : [el("p", {}, t("console.no_change"))];
  $("whatif-result").replaceChildren(
    el("h3", {}, t("console.variant_head", { name: variant.name, status: term("status", variant.roster.status) })),
    figures, ...changed);
}

// --- contingency sweeps ------------------------------------------------------------------

async function sweep() {
  $("sweep-result").replaceChildren(el("p", {}, t("console.sweeping")));
  $("sweep-detail").replaceChildren();
  showSweep(await api("POST", `/rosters/${state.rosterId}/sweeps`, { absent: $("sweep-absent").value }));
}

// The ranked table; a row opens the two rosters' changed teams side by side.
function showSweep(view) {
  state.sweep = view;
  const cols = ["rank", "contingency", "mandatory_lost", "priority_lost", "cases_unstaffed", "cost_added", "people_moved"];
  const rows = view.sweep.outcomes.map((o) => el("tr", { class: o.valid ? "sweep-row" : "sweep-row invalid",
                                                         onclick: () => showMoves(o), tabindex: "0" },
    el("td", { class: "num" }, String(o.rank)), el("td", {}, reasonText(o.contingency)),
    el("td", {}, o.mandatory_lost.join(t("sep.comma"))), el("td", { class: "num" }, String(o.priority_lost)),
    el("td", {}, o.cases_unstaffed.join(t("sep.comma"))), el("td", { class: "num" }, o.cost_added.toFixed(1)),
    el("td", { class: "num" }, String(o.people_moved))));
  $("sweep-result").replaceChildren(
    el("p", {}, t("console.sweep_done", { n: view.sweep.outcomes.length, seconds: view.sweep.seconds.toFixed(1),
                                      invalid: view.sweep.outcomes.filter((o) => !o.valid).length })),
    ...view.sweep.skipped.map((r) => el("p", {}, t("console.sweep_skipped", { reason: reasonText(r) }))),
    el("table", { id: "sweep-table" },
      el("thead", {}, el("tr", {}, ...cols.map((c) => el("th", {}, t(`sweep.col.${c}`))))),
      el("tbody", {}, ...rows)));
  for (const [id, type] of [["sweep-csv", "text/csv"], ["sweep-xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"]]) {
    const link = $(id);
    link.hidden = false;
    link.onclick = (e) => { e.preventDefault(); guarded(() => download(`/sweeps/${view.id}`, type, `sweep-${view.id}.${id === "sweep-csv" ? "csv" : "xlsx"}`)); };
    link.href = "#";
  }
}

// A download needs the key in a header, so it is fetched and handed over as a blob.
async function download(path, type, name) {
  const answer = await fetch(path, { headers: { Authorization: `Bearer ${state.key}`, Accept: type,
                                                "Accept-Language": state.lang } });
  if (!answer.ok) throw new Error((await answer.json()).detail || answer.statusText);
  const url = URL.createObjectURL(await answer.blob());
  el("a", { href: url, download: name }).click();
  URL.revokeObjectURL(url);
}

// One contingency's re-plan beside the base roster: each changed team before and after,
// leaves struck through, joins in green (as in what-if).
function showMoves(o) {
  const base = Object.fromEntries(state.roster.cases.map((e) => [e.id, e]));
  const byCase = {};
  for (const m of o.moves) (byCase[m.case] ||= []).push(m);
  const row = (m, mark) => el("tr", { class: mark },
    el("td", {}, t(`slot.${m.slot}`)), el("td", {}, personName(m)));
  const changed = Object.entries(byCase).map(([cid, moves]) => {
    const before = (base[cid] && base[cid].staffed) ? base[cid].team : [];
    const leaves = new Set(moves.filter((m) => !m.joins).map((m) => m.prosecutor));
    const after = [...before.filter((m) => !leaves.has(m.prosecutor)), ...moves.filter((m) => m.joins)];
    const joins = new Set(moves.filter((m) => m.joins).map((m) => m.prosecutor));
    const table = (team, marks) => team.length
      ? el("table", {}, el("tbody", {}, ...team.map((m) => row(m, marks.has(m.prosecutor) ? (marks === leaves ? "leaves" : "joins") : ""))))
      : el("p", { class: "unstaffed" }, t("console.not_staffed"));
    return el("article", { class: "changed-case" }, el("h3", {}, cid),
      el("div", { class: "side-by-side" },
        el("div", {}, el("h4", {}, t("console.before")), table(before, leaves)),
        el("div", {}, el("h4", {}, t("console.after")), table(o.cases_unstaffed.includes(cid) ? [] : after, joins))));
  });
  $("sweep-detail").replaceChildren(el("h3", {}, reasonText(o.contingency)),
    ...(changed.length ? changed : [el("p", {}, t("console.no_change"))]));
}

// --- wiring -----------------------------------------------------------------------------

window.addEventListener("DOMContentLoaded", () => {
  $("lang").addEventListener("change", (e) => guarded(() => setLanguage(e.target.value)));
  wordsLoaded = setLanguage(state.lang).catch(() => {});
  $("sign-in").addEventListener("submit", (e) => { e.preventDefault(); guarded(() => signIn($("key").value.trim())); });
  $("sign-out").addEventListener("click", () => { sessionStorage.removeItem("taskforce-key"); location.reload(); });
  $("open-scenario").addEventListener("click", () => guarded(() => openScenario($("scenario-pick").value)));
  $("upload").addEventListener("change", (e) => guarded(() => upload(e.target.files[0])));
  $("solve").addEventListener("submit", (e) => { e.preventDefault(); guarded(() => solve(Number($("seconds").value))); });
  $("cancel").addEventListener("click", () => guarded(() => api("DELETE", `/jobs/${state.jobId}`)));
  $("commit").addEventListener("submit", (e) => { e.preventDefault(); guarded(commit); });
  $("whatif").addEventListener("submit", (e) => { e.preventDefault(); guarded(whatIf); });
  $("sweep").addEventListener("submit", (e) => { e.preventDefault(); guarded(sweep); });
  if (state.key) { $("key").value = state.key; guarded(() => signIn(state.key)); }
});

// A reason is a code with parameters and its text in the language asked for; rosters
// stored before reasons had codes hold plain text.
function reasonText(reason) {
  if (!reason) return "";
  return typeof reason === "string" ? reason : reason.text || reason.code;
}
