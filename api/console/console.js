// The command-center console: a board of views (overview, cases, people, map, what-if,
// commitments, audit), each at its own URL (#/view/case?scenario=&roster=). It calls only
// the public API, with the key the person signed in with, so everything it does a script
// can do too.

const $ = (id) => document.getElementById(id);
const SVG = "http://www.w3.org/2000/svg";
const POLL_MS = 500;
const PAGE = 50;  // rows of a table page: a province's 700 cases render a page at a time
const VIEWS = ["overview", "cases", "people", "map", "timeline", "whatif", "commitments", "audit"];

const state = { key: sessionStorage.getItem("taskforce-key") || "", scenarioId: null,
                scenario: null, resource: null, visible: null, rosterId: null, roster: null,
                util: null, jobId: null, job: null, whatIf: null, sweep: null, timer: null,
                selected: null, index: null, mapView: null,
                lang: localStorage.getItem("taskforce-lang") || browserLanguage() };
const tables = {};  // each table's filters, sort and page, kept while the reader moves about
let words = {};  // the console's words in state.lang, from GET /messages/{lang}
let wordsLoaded = null;  // the first load: API calls wait for it, so nothing shows a code
let signedIn = false;  // a key was accepted: links naming a scenario or roster can be followed

// The browser's own language decides until the reader picks one: Chinese for any zh-*.
function browserLanguage() {
  return (navigator.languages || [navigator.language]).some((l) => /^zh\b/i.test(l || "")) ? "zh" : "en";
}

function t(code, params = {}) {
  let text = words[code] || code;
  for (const [k, v] of Object.entries(params)) text = text.replaceAll(`{${k}}`, v);
  return text;
}

// A word of the vocabulary (a job state, a solver stage, a roster status, a skill); a value
// the catalogue does not know reads as itself rather than as a code.
function term(prefix, value) {
  return words[`${prefix}.${value}`] || value;
}

// A day of a chart's axis: "6月10日" in Chinese, "06-10" in English.
function shortDay(iso) {
  const [, m, d] = iso.split("-");
  return state.lang === "zh" ? `${Number(m)}月${Number(d)}日` : `${m}-${d}`;
}

function moment(iso) {
  return iso ? iso.replace("T", " ").slice(0, 16) : "";
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
  route();
}

// A what-if answer with every roster read again, so that their reasons are in the
// language just chosen (they were worded in the language of the request).
async function reworded(result) {
  const base = await api("GET", `/rosters/${result.base_roster_id}`);
  const variants = await Promise.all(result.variants.map(async (v) =>
    ({ ...v, roster: (await api("GET", `/rosters/${v.roster_id}`)).roster })));
  return { ...result, base: base.roster, variants };
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
    this.detail = (body && body.detail) || "";
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
    if (v === undefined || v === null || v === false) continue;
    if (k === "class") node.className = v;
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return node;
}

// Back to the browser between two pieces of work, so that no single task holds the page
// (a province's board is drawn in several short tasks, not one long one).
const breathe = () => new Promise((resolve) => setTimeout(resolve, 0));

function svg(tag, attrs = {}) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  return node;
}

// Errors show at the top of the board, where the reader looks, until dismissed.
function showError(err) {
  $("error-text").textContent = err ? err.message : "";
  $("error").hidden = !err;
  if (err) $("error").scrollIntoView({ block: "nearest" });
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
  $("views").hidden = false;
  fillScenarios(page.items);
  signedIn = true;
  route();
}

function showVisible(total) {
  state.visible = total;
  $("who").textContent = t("console.signed_in", { total });
}

function fillScenarios(items) {
  const pick = $("scenario-pick");
  pick.replaceChildren(...items.map((s) => el("option", { value: s.id }, `${s.name} (v${s.version})`)));
  if (!items.length) pick.append(el("option", { value: "" }, t("console.none_stored")));
}

async function openScenario(id) {
  if (!id) throw new Error(t("console.nothing_stored"));
  // The id may come from a link: encoded, so that it names a scenario and nothing else.
  const resource = await api("GET", `/scenarios/${encodeURIComponent(id)}`);
  performance.mark("scenario-data");
  state.scenarioId = resource.id;
  state.scenario = resource.scenario;
  state.index = indexOf(resource.scenario);
  state.rosterId = state.roster = state.util = state.job = state.whatIf = state.sweep = null;
  state.compared = [];
  state.selected = state.mapView = state.jobId = state.mapOffice = state.drawCases = state.tlSwap = null;
  clearTimeout(state.timer);
  $("cancel").hidden = true;
  $("solve").hidden = false;
  $("progress").replaceChildren();
  for (const id of ["roster-section", "whatif-section", "sweep-section"]) $(id).hidden = true;
  $("whatif-empty").hidden = false;
  for (const id of ["whatif-result", "whatif-compare", "timeline", "timeline-swap", "variants", "adopt-result", "sweep-result", "sweep-detail",
                    "commit-result", "case-detail", "overview", "roster", "people", "utilisation"]) {
    $(id).replaceChildren();
  }
  $("overview-empty").hidden = false;
  showScenario(resource);
  syncLink();
  await breathe();
  showCases();
  await breathe();
  showPeople();
  performance.mark("scenario-shown");
}

// Lookups of the open scenario: offices, people, cases, and each office's city (the
// municipal procuratorate above it, or itself).
function indexOf(s) {
  const unit = new Map(s.units.map((u) => [u.id, u]));
  const city = new Map();
  for (const u of s.units) {
    let at = u;
    for (let hops = 0; at && at.tier !== "municipal" && at.parent && hops < 20; hops++) at = unit.get(at.parent);
    city.set(u.id, at && at.tier === "municipal" ? at.id : u.tier === "provincial" ? u.id : (at ? at.id : u.id));
  }
  return { unit, city, person: new Map(s.prosecutors.map((p) => [p.id, p])),
           case: new Map(s.cases.map((c) => [c.id, c])) };
}

// The scenario's status line, map and what-if choices, in the reader's language.
function showScenario(resource) {
  state.resource = resource;
  $("scenario-status").textContent = t("console.scenario_status", {
    name: resource.name, version: resource.version, units: resource.scenario.units.length,
    people: resource.scenario.prosecutors.length, cases: resource.scenario.cases.length });
  drawMap();
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

// --- views and their URLs -----------------------------------------------------------------

// A view's address carries what it shows: `#/cases/fraud?scenario=S&roster=R`, so that a
// link sent to a colleague opens the same scenario, roster and case once they sign in.
function parseLink(hash = location.hash) {
  const [path, query = ""] = hash.replace(/^#/, "").split("?");
  const match = path.match(/^\/(\w+)(?:\/(.*))?$/);
  const q = new URLSearchParams(query);
  let arg = null;
  try { arg = match && match[2] ? decodeURIComponent(match[2]) : null; } catch { arg = null; }
  return { view: match && VIEWS.includes(match[1]) ? match[1] : "overview", arg,
           scenario: q.get("scenario"), roster: q.get("roster") };
}

function linkTo(view, arg) {
  const q = new URLSearchParams();
  if (state.scenarioId) q.set("scenario", state.scenarioId);
  if (state.rosterId) q.set("roster", state.rosterId);
  const query = q.toString();
  return `#/${view}${arg ? `/${encodeURIComponent(arg)}` : ""}${query ? `?${query}` : ""}`;
}

// The address bar and the board's links say what is open now (without a new history entry).
function syncLink() {
  const link = parseLink();
  const arg = (link.view === "cases" || link.view === "map") ? state.selected : link.arg;
  const hash = linkTo(link.view, arg);
  if (location.hash !== hash) history.replaceState(null, "", hash);
  for (const a of document.querySelectorAll("#views a")) a.setAttribute("href", linkTo(a.dataset.view));
}

let routing = 0;  // the latest route: an older one still loading gives way to it

function route() {
  const link = parseLink();
  const view = link.view;
  for (const v of VIEWS) $(`view-${v}`).hidden = v !== view;
  for (const a of document.querySelectorAll("#views a")) {
    if (a.dataset.view === view) a.setAttribute("aria-current", "page");
    else a.removeAttribute("aria-current");
  }
  // One map, shown beside the cases table or on its own.
  const slot = view === "cases" ? $("cases-map-slot") : $("map-map-slot");
  if ($("map-box").parentNode !== slot) slot.append($("map-box"));
  const seq = ++routing;
  const show = () => {
    if (seq !== routing) return;
    if ((view === "cases" || view === "map") && link.arg && state.scenario) selectCase(link.arg, true);
    else if (view === "cases" || view === "map") drawMap();
    if (view === "timeline") showTimeline();
    if (state.key && view === "commitments") guarded(loadCommitments);
    if (state.key && view === "audit") guarded(() => loadAudit());
    if (state.key && view === "whatif" && state.scenarioId) guarded(loadVariants);
    // Before sign-in the address keeps what it names, to be followed once signed in.
    if (signedIn) syncLink();
  };
  // A link naming a scenario or roster other than the one open: open them first (once
  // signed in; until then the address waits, and sign-in routes again).
  const other = (link.scenario && link.scenario !== state.scenarioId) ||
                (link.roster && link.roster !== state.rosterId);
  if (other && signedIn) {
    guarded(async () => {
      try {
        await follow(link, seq);
      } finally {
        show();
      }
    });
  } else {
    show();
  }
}

async function follow(link, seq) {
  if (link.scenario && link.scenario !== state.scenarioId) {
    await openScenario(link.scenario);
    if (seq !== routing) return;
    if ([...$("scenario-pick").options].some((o) => o.value === link.scenario)) $("scenario-pick").value = link.scenario;
  }
  if (link.roster && link.roster !== state.rosterId && state.scenarioId) {
    const view = await api("GET", `/rosters/${encodeURIComponent(link.roster)}`);
    if (seq !== routing) return;
    // A roster of another scenario (or of a what-if variant) is not shown over this one.
    if (view.scenario_id !== state.scenarioId) throw new Error(t("console.link_roster_elsewhere", { roster: link.roster }));
    await showRoster(view.id, view);
  }
}

function go(view, arg) {
  const hash = linkTo(view, arg);
  if (location.hash === hash) route();
  else location.hash = hash;
}

// --- tables: search, filters, sorting, a page at a time ------------------------------------

// A table of `rows` (already filtered) into `box`: `columns` name their label, cell and
// sort key; the table's state (sort, page) is kept under `name`.
function pagedTable(name, box, rows, columns, { rowClass, caption, key } = {}) {
  const st = tables[name] ||= { page: 0, sort: null, dir: 1, filters: {} };
  let shown = rows;
  const col = columns.find((c) => c.key === st.sort);
  if (col && col.sort) {
    const key = col.sort;
    const keyed = rows.map((r) => [key(r), r]);
    keyed.sort((a, b) => (a[0] < b[0] ? -st.dir : a[0] > b[0] ? st.dir : 0));
    shown = keyed.map((k) => k[1]);
  }
  const pages = Math.max(1, Math.ceil(shown.length / PAGE));
  // A row to show (a case chosen elsewhere): the page that has it.
  if (st.reveal != null && key) {
    const at = shown.findIndex((r) => key(r) === st.reveal);
    if (at >= 0) st.page = Math.floor(at / PAGE);
  }
  st.reveal = null;
  st.page = Math.min(st.page, pages - 1);
  const slice = shown.slice(st.page * PAGE, st.page * PAGE + PAGE);
  const head = columns.map((c) => {
    const sorted = st.sort === c.key ? (st.dir > 0 ? "ascending" : "descending") : null;
    const label = c.head ? c.head() : c.sort
      ? el("button", { type: "button", class: "sort", onclick: () => {
          if (st.sort === c.key) st.dir = -st.dir; else { st.sort = c.key; st.dir = c.desc ? -1 : 1; }
          st.page = 0;
          pagedTable(name, box, rows, columns, { rowClass, caption, key });
        } }, t(c.label), sorted ? (st.dir > 0 ? " ▲" : " ▼") : "")
      : t(c.label);
    return el("th", { scope: "col", "aria-sort": sorted, class: c.num ? "num" : null }, label);
  });
  const body = slice.map((r) => el("tr", { class: rowClass ? rowClass(r) : null },
    ...columns.map((c) => el("td", { class: c.num ? "num" : null }, c.cell(r)))));
  const turn = (to) => () => { st.page = to; pagedTable(name, box, rows, columns, { rowClass, caption, key }); };
  const pager = el("div", { class: "pager row" },
    el("button", { type: "button", disabled: st.page === 0, onclick: turn(st.page - 1) }, t("console.previous")),
    el("span", {}, shown.length
      ? t("console.rows_of", { first: st.page * PAGE + 1, last: st.page * PAGE + slice.length, total: shown.length })
      : t("console.no_rows")),
    el("button", { type: "button", disabled: st.page >= pages - 1, onclick: turn(st.page + 1) }, t("console.next")));
  box.replaceChildren(el("table", { class: "grid" }, caption ? el("caption", {}, caption) : null,
                         el("thead", {}, el("tr", {}, ...head)), el("tbody", {}, ...body)), pager);
  return slice;
}

// A filter form: a search box and choices; `onchange` runs on every change.
function filterForm(form, name, fields, onchange) {
  const st = tables[name] ||= { page: 0, sort: null, dir: 1, filters: {} };
  const controls = fields.map((f) => {
    const id = `${name}-f-${f.key}`;
    let input;
    if (f.type === "search") {
      input = el("input", { id, type: "search", value: st.filters[f.key] || "" });
    } else if (f.type === "check") {
      input = el("input", { id, type: "checkbox", checked: !!st.filters[f.key] });
    } else {
      input = el("select", { id }, el("option", { value: "" }, t("console.all")),
                 ...f.options.map(([v, label]) => el("option", { value: v }, label)));
      input.value = st.filters[f.key] || "";
    }
    input.addEventListener(f.type === "search" ? "input" : "change", () => {
      st.filters[f.key] = f.type === "check" ? input.checked : input.value;
      st.page = 0;
      onchange();
    });
    return f.type === "check"
      ? el("label", { class: "check" }, input, " ", t(f.label))
      : el("span", { class: "field" }, el("label", { for: id }, t(f.label)), input);
  });
  form.replaceChildren(...controls);
  return st.filters;
}

const sorted = (values) => [...new Set(values)].sort();
const officeOptions = (ids) => sorted(ids).map((id) => [id, officeName(id)])
  .sort((a, b) => a[1].localeCompare(b[1], state.lang === "zh" ? "zh-Hans-CN" : "en"));

// --- the cases view -------------------------------------------------------------------------

function caseTitle(c) {
  return c ? (state.lang === "zh" && c.title_zh) || c.title || "" : "";
}

// Each case of the scenario with its roster entry (if solved), ready to filter and sort.
function caseRows() {
  const entries = new Map((state.roster ? state.roster.cases : []).map((e) => [e.id, e]));
  return state.scenario.cases.map((c) => {
    const entry = entries.get(c.id) || null;
    const team = entry && entry.staffed ? entry.team.map((m) => personName(m)).join(t("sep.comma")) : "";
    const lead = c.lead_unit || c.venue;
    return { c, entry, lead, city: state.index.city.get(c.venue), team,
             text: `${c.id} ${c.title} ${c.title_zh || ""} ${team} ${officeName(lead)} ${officeName(c.venue)}`.toLowerCase() };
  });
}

function showCases() {
  if (!state.scenario) return;
  const s = state.scenario;
  const all = caseRows();
  const skills = sorted(s.cases.flatMap((c) => c.team.skills.map((k) => k.skill)));
  const langs = sorted(s.cases.flatMap((c) => c.team.languages.map((k) => k.language)));
  const draw = () => {
    const f = tables.cases.filters;
    const q = (f.q || "").trim().toLowerCase();
    const rows = all.filter((r) => (!q || r.text.includes(q))
      && (!f.office || r.lead === f.office || r.c.venue === f.office)
      && (!f.city || r.city === f.city)
      && (!f.skill || r.c.team.skills.some((k) => k.skill === f.skill))
      && (!f.language || r.c.team.languages.some((k) => k.language === f.language))
      && (!f.state || (f.state === "staffed") === !!(r.entry && r.entry.staffed))
      && (!f.mandatory || r.c.mandatory));
    pagedTable("cases", $("roster"), rows, caseColumns(),
               { rowClass: (r) => [r.entry && !r.entry.staffed ? "unstaffed-row" : "",
                                   r.c.id === state.selected ? "selected" : ""].join(" ").trim() || null,
                 key: (r) => r.c.id });
  };
  state.drawCases = draw;
  filterForm($("case-filters"), "cases", [
    { key: "q", type: "search", label: "console.search" },
    { key: "office", label: "console.office", options: officeOptions(s.cases.flatMap((c) => [c.lead_unit || c.venue, c.venue])) },
    { key: "city", label: "console.in_city", options: officeOptions(s.cases.map((c) => state.index.city.get(c.venue))) },
    { key: "skill", label: "console.skill", options: skills.map((k) => [k, term("kind", k)]) },
    { key: "language", label: "console.language_need", options: langs.map((k) => [k, term("language", k)]) },
    { key: "state", label: "console.state", options: [["staffed", t("console.staffed")], ["unstaffed", t("console.unstaffed_word")]] },
    { key: "mandatory", type: "check", label: "console.mandatory_only" },
  ], draw);
  draw();
}

function caseColumns() {
  return [
    { key: "id", label: "console.case", sort: (r) => r.c.id,
      cell: (r) => el("button", { type: "button", class: "case-button", onclick: () => go("cases", r.c.id) }, r.c.id) },
    { key: "title", label: "console.col_title", sort: (r) => caseTitle(r.c), cell: (r) => caseTitle(r.c) },
    { key: "office", label: "console.office", sort: (r) => officeName(r.lead), cell: (r) => officeName(r.lead) },
    { key: "priority", label: "console.priority", num: true, desc: true, sort: (r) => r.c.priority,
      cell: (r) => `${r.c.priority}${r.c.mandatory ? ` ${t("console.mandatory_mark")}` : ""}` },
    { key: "start", label: "console.dates", sort: (r) => r.c.start, cell: (r) => `${shortDay(r.c.start)}–${shortDay(r.c.end)}` },
    { key: "state", label: "console.col_team", sort: (r) => (r.entry ? (r.entry.staffed ? 1 : 0) : 2),
      cell: (r) => !r.entry ? t("console.not_solved")
        : r.entry.staffed ? r.team
        : el("span", { class: "unstaffed" }, t("console.unstaffed", { reason: reasonText(r.entry.unstaffed_reason) || t("console.no_reason") })) },
  ];
}

// A case chosen (in the table, the worklist or by its URL): its team in full, on the map.
function selectCase(id, fromLink = false) {
  const c = state.index && state.index.case.get(id);
  if (!c) {
    if (fromLink) showError(new Error(t("console.link_no_case", { case: id })));
    return;
  }
  state.selected = id;
  const entry = state.roster && state.roster.cases.find((e) => e.id === id);
  // The same case chosen in the table: its page shown, its row marked.
  if (state.drawCases) { tables.cases.reveal = id; state.drawCases(); }
  const facts = [
    [t("console.office"), officeName(c.lead_unit || c.venue)], [t("console.venue"), officeName(c.venue)],
    [t("console.dates"), `${c.start} – ${c.end}`], [t("console.priority"), String(c.priority)],
    [t("console.kind"), term("kind", c.kind)]];
  $("case-detail").replaceChildren(el("article", { class: "case" },
    el("h3", {}, `${c.id}${caseTitle(c) ? ` — ${caseTitle(c)}` : ""}`),
    el("dl", { class: "facts" }, ...facts.flatMap(([k, v]) => [el("dt", {}, k), el("dd", {}, v)])),
    entry ? teamTable(entry) : el("p", {}, t("console.not_solved")),
    entry && entry.staffed ? swapForm(entry) : null,
    el("div", { id: "swap-result", role: "status", "aria-live": "polite" })));
  drawMap();
}

// Swap a member by hand: the people the solver holds eligible for that place, the swap
// checked at once; a valid one becomes the roster shown (to commit, or solve again from).
// The case detail and the timeline each have one, their controls named by `prefix`.
function swapForm(entry, prefix = "swap", person = null) {
  const out = el("select", { id: `${prefix}-out` }, ...entry.team.map((m) =>
    el("option", { value: m.prosecutor, "data-slot": m.slot }, t("console.slot_person", { slot: t(`slot.${m.slot}`), person: personName(m) }))));
  if (person && entry.team.some((m) => m.prosecutor === person)) out.value = person;
  const into = el("select", { id: `${prefix}-into` });
  // Answers may come back out of order (the first member's slot is asked for as the form
  // is drawn, the chosen one's right after): only the latest question's answer is shown.
  let asked = 0;
  const load = () => guarded(async () => {
    const question = ++asked;
    const slot = out.selectedOptions[0].dataset.slot;
    const people = await api("GET", `/rosters/${state.rosterId}/cases/${encodeURIComponent(entry.id)}/candidates?slot=${slot}`);
    if (question !== asked) return;
    into.replaceChildren(...(people.length ? people.map((p) => el("option", { value: p.prosecutor },
      t("console.candidate", { name: personName({ prosecutor: p.prosecutor, name: p.name }), office: officeName(p.home),
                               travel: p.on_site ? t("console.minutes", { minutes: p.travel_minutes.toFixed(0) }) : t("member.video") })))
      : [el("option", { value: "" }, t("console.no_candidates"))]));
  });
  out.addEventListener("change", load);
  load();
  return el("form", { class: "row swap", onsubmit: (e) => {
    e.preventDefault();
    guarded(async () => {
      const box = $(`${prefix}-result`);
      try {
        const made = await api("POST", `/rosters/${state.rosterId}/swaps`,
                               { case: entry.id, out: out.value, into: into.value });
        if (state.tlSwap && state.tlSwap.case === entry.id) state.tlSwap.person = into.value;
        await showRoster(made.id);
        // The roster shown is the new one, its forms drawn anew: the answer goes in the new box.
        const shown = $(`${prefix}-result`);
        shown.className = "ok";
        shown.replaceChildren(t("console.swapped", { cost: made.roster.objective.cost.toFixed(1) }), " ",
          el("button", { type: "button", id: prefix === "swap" ? "solve-keeping" : `${prefix}-solve-keeping`,
                         onclick: () => guarded(() =>
            solve(Number($("seconds").value), { roster_id: made.id, cases: [entry.id] })) },
             t("console.solve_keeping")));
      } catch (err) {
        if (!(err instanceof Problem) || err.status !== 422) throw err;
        box.className = "conflict";
        box.replaceChildren(el("strong", {}, err.detail),
          el("ul", {}, ...err.errors.map((x) => el("li", {}, x.message))));
      }
    });
  } }, el("label", { for: `${prefix}-out` }, t("console.swap_out")), out,
     el("label", { for: `${prefix}-into` }, t("console.swap_into")), into,
     el("button", { type: "submit" }, t("console.swap")));
}

function teamTable(entry, marks = {}) {
  if (!entry.staffed) {
    return el("p", { class: "unstaffed" },
              t("console.unstaffed", { reason: reasonText(entry.unstaffed_reason) || t("console.no_reason") }));
  }
  const rows = entry.team.map((m) => el("tr", { class: marks[m.prosecutor] || null },
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
  const u = state.index && state.index.unit.get(id);
  return u ? (state.lang === "zh" && u.name_zh) || u.name : id;
}

function personName(m) {
  const p = state.index && state.index.person.get(m.prosecutor);
  return (state.lang === "zh" && p && p.name_zh) || m.name || (p && p.name) || m.prosecutor;
}

// --- the people view ------------------------------------------------------------------------

// A person's highest share of capacity in the roster, and its day.
function peaks() {
  const out = new Map();
  if (!state.util) return out;
  for (const p of state.util.people) {
    let best = -1, day = 0;
    p.load.forEach((l, i) => { if (l / p.capacity > best) { best = l / p.capacity; day = i; } });
    out.set(p.id, { share: best, day: state.util.days[day], row: p });
  }
  return out;
}

function showPeople() {
  if (!state.scenario) return;
  const s = state.scenario;
  const serving = new Map();
  for (const e of state.roster ? state.roster.cases : []) {
    for (const m of e.team) serving.set(m.prosecutor, (serving.get(m.prosecutor) || 0) + 1);
  }
  const peak = peaks();
  const all = s.prosecutors.map((p) => ({ p, cases: serving.get(p.id) || 0, peak: peak.get(p.id) || null,
    city: state.index.city.get(p.home),
    text: `${p.id} ${p.name} ${p.name_zh || ""} ${officeName(p.home)}`.toLowerCase() }));
  const draw = () => {
    const f = tables.people.filters;
    const q = (f.q || "").trim().toLowerCase();
    const rows = all.filter((r) => (!q || r.text.includes(q))
      && (!f.office || r.p.home === f.office) && (!f.city || r.city === f.city)
      && (!f.skill || (r.p.skills[f.skill] || 0) > 0)
      && (!f.language || r.p.languages.includes(f.language))
      && (!f.state || (f.state === "serving") === r.cases > 0));
    const page = pagedTable("people", $("people"), rows, [
      { key: "name", label: "console.col_person", sort: (r) => personName({ prosecutor: r.p.id }),
        cell: (r) => personName({ prosecutor: r.p.id }) },
      { key: "office", label: "console.office", sort: (r) => officeName(r.p.home), cell: (r) => officeName(r.p.home) },
      { key: "role", label: "console.rank", sort: (r) => r.p.role, cell: (r) => term("role", r.p.role) },
      { key: "skills", label: "console.skills", cell: (r) => Object.entries(r.p.skills)
          .map(([k, v]) => `${term("kind", k)} ${v}`).join(t("sep.comma")) },
      { key: "languages", label: "console.languages", cell: (r) => r.p.languages.map((l) => term("language", l)).join(t("sep.comma")) },
      { key: "cases", label: "console.col_cases", num: true, desc: true, sort: (r) => r.cases, cell: (r) => String(r.cases) },
      { key: "peak", label: "console.col_peak", num: true, desc: true, sort: (r) => (r.peak ? r.peak.share : -1),
        cell: (r) => (r.peak ? t("console.peak_on", { share: Math.round(100 * r.peak.share), day: shortDay(r.peak.day) }) : "") },
    ]);
    showUtilisation(page.filter((r) => r.peak).map((r) => r.peak.row));
  };
  filterForm($("people-filters"), "people", [
    { key: "q", type: "search", label: "console.search" },
    { key: "office", label: "console.office", options: officeOptions(s.prosecutors.map((p) => p.home)) },
    { key: "city", label: "console.in_city", options: officeOptions(s.prosecutors.map((p) => state.index.city.get(p.home))) },
    { key: "skill", label: "console.skill", options: sorted(s.prosecutors.flatMap((p) => Object.keys(p.skills))).map((k) => [k, term("kind", k)]) },
    { key: "language", label: "console.language_spoken", options: sorted(s.prosecutors.flatMap((p) => p.languages)).map((k) => [k, term("language", k)]) },
    { key: "state", label: "console.state", options: [["serving", t("console.serving")], ["free", t("console.not_serving")]] },
  ], draw);
  draw();
}

// The load chart of the people on the page shown: a bounded number of cells, however
// large the province.
function showUtilisation(people) {
  const u = state.util;
  if (!u || !people.length) { $("utilisation").replaceChildren(); return; }
  const cell = 14, left = 230, top = 20;
  const width = left + u.days.length * cell + 10, height = top + people.length * cell + 10;
  const chart = svg("svg", { viewBox: `0 0 ${width} ${height}`, width, height,
                             role: "img", "aria-label": t("console.chart_label"), class: "heat" });
  u.days.forEach((d, i) => {
    if (i % 7 === 0) {
      const tick = svg("text", { x: left + i * cell, y: 12, class: "tick" });
      tick.textContent = shortDay(d);
      chart.append(tick);
    }
  });
  people.forEach((p, row) => {
    const y = top + row * cell;
    const name = personName({ prosecutor: p.id, name: p.name });
    const text = t("console.person_home", { name, office: officeName(p.home) });
    const tick = svg("text", { x: 0, y: y + cell - 2, class: "tick" });
    tick.textContent = text.length > 30 ? `${text.slice(0, 29)}…` : text;
    chart.append(tick);
    p.load.forEach((load, i) => {
      if (load <= 0) return;
      const share = load / p.capacity;
      const rect = svg("rect", { x: left + i * cell, y, width: cell - 1, height: cell - 1,
                                 class: share >= 1 - 1e-9 ? "full" : "load",
                                 "fill-opacity": Math.max(0.08, Math.min(1, share)) });
      const title = svg("title");
      title.textContent = t("console.load_title", { name, day: u.days[i], share: Math.round(100 * share) });
      rect.append(title);
      chart.append(rect);
    });
  });
  $("utilisation").replaceChildren(chart);
}

// --- the timeline -----------------------------------------------------------------------------

// Cases on a time axis, or each person's bookings (the roster's cases, leave, commitments
// to cases of other scenarios): a table of bars, a page at a time.
const BAR_W = 640;
function showTimeline() {
  const s = state.scenario;
  if (!s || !s.cases.length) { $("timeline").replaceChildren(); return; }
  const first = Date.parse(s.cases.map((c) => c.start).sort()[0]);
  const last = Date.parse(s.cases.map((c) => c.end).sort().at(-1)) + 86400000;
  const x = (iso) => Math.max(0, Math.min(BAR_W, ((Date.parse(iso) - first) / (last - first)) * BAR_W));
  const bars = (items) => {
    const chart = svg("svg", { width: BAR_W, height: 16, class: "bars" });
    for (const b of items) {
      const x0 = x(b.start), x1 = x(new Date(Date.parse(b.end) + 86400000).toISOString().slice(0, 10));
      if (x1 <= 0 || x0 >= BAR_W) continue;
      const rect = svg("rect", { x: x0, y: 2, width: Math.max(2, x1 - x0), height: 12, class: b.cls });
      const title = svg("title");
      title.textContent = b.title;
      rect.append(title);
      if (b.swap) {
        // A booking on a team: chosen (click or Enter), the person can be swapped out of it.
        const [caseId, person] = b.swap;
        rect.setAttribute("tabindex", "0");
        rect.setAttribute("role", "button");
        rect.setAttribute("aria-label", `${t("console.tl_swap")}: ${b.title}`);
        rect.dataset.case = caseId;
        rect.addEventListener("click", () => openTimelineSwap(caseId, person));
        rect.addEventListener("keydown", (e) => { if (e.key === "Enter") openTimelineSwap(caseId, person); });
      }
      chart.append(rect);
    }
    return chart;
  };
  const axis = svg("svg", { width: BAR_W, height: 16, class: "bars axis" });
  for (let d = new Date(first); d.getTime() < last; d.setUTCDate(d.getUTCDate() + 7)) {
    const iso = d.toISOString().slice(0, 10);
    const tick = svg("text", { x: x(iso), y: 12 });
    tick.textContent = shortDay(iso);
    axis.append(tick);
  }
  const entries = new Map((state.roster ? state.roster.cases : []).map((e) => [e.id, e]));
  const q = $("tl-search").value.trim().toLowerCase();
  if ($("tl-what").value === "cases") {
    const rows = s.cases.filter((c) => !q || `${c.id} ${caseTitle(c)} ${officeName(c.venue)}`.toLowerCase().includes(q))
      .sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
    pagedTable("timeline-cases", $("timeline"), rows, [
      { key: "id", label: "console.case", cell: (c) => el("button", { type: "button", class: "case-button", onclick: () => go("cases", c.id) }, c.id) },
      { key: "office", label: "console.office", cell: (c) => officeName(c.lead_unit || c.venue) },
      { key: "bar", label: "", head: () => axis.cloneNode(true), cell: (c) => {
          const e = entries.get(c.id);
          const cls = !e ? "case-bar" : e.staffed ? "case-bar staffed" : "case-bar unstaffed-bar";
          return bars([{ start: c.start, end: c.end, cls, title: `${c.id} ${caseTitle(c)}: ${c.start} – ${c.end}` }]);
        } },
      { key: "swap", label: "", cell: (c) => entries.get(c.id) && entries.get(c.id).staffed
          ? el("button", { type: "button", class: "tl-swap", "data-case": c.id,
                           onclick: () => openTimelineSwap(c.id, null) }, t("console.tl_swap"))
          : "" },
    ]);
    showTimelineSwap();
    return;
  }
  const booked = new Map();
  for (const e of entries.values()) {
    const c = state.index.case.get(e.id);
    if (!c) continue;
    for (const m of e.team) {
      if (!booked.has(m.prosecutor)) booked.set(m.prosecutor, []);
      booked.get(m.prosecutor).push({ start: c.start, end: c.end, cls: "case-bar staffed",
                                      title: `${c.id} ${caseTitle(c)}: ${t(`slot.${m.slot}`)}, ${c.start} – ${c.end}`,
                                      swap: [c.id, m.prosecutor] });
    }
  }
  const rows = s.prosecutors.filter((p) => !q || `${p.id} ${p.name} ${p.name_zh || ""} ${officeName(p.home)}`.toLowerCase().includes(q))
    .map((p) => ({ p, items: [...(booked.get(p.id) || []),
      ...p.unavailable.map((u) => ({ start: u.start, end: u.end, cls: "leave", title: `${t("console.tl_leave")}: ${u.start} – ${u.end}` })),
      ...p.commitments.map((u) => ({ start: u.start, end: u.end, cls: "committed", title: `${t("console.tl_committed")}: ${u.ref} ${u.start} – ${u.end}` }))] }))
    .sort((a, b) => b.items.length - a.items.length);
  pagedTable("timeline-people", $("timeline"), rows, [
    { key: "name", label: "console.col_person", cell: (r) => personName({ prosecutor: r.p.id }) },
    { key: "office", label: "console.office", cell: (r) => officeName(r.p.home) },
    { key: "bar", label: "", head: () => axis.cloneNode(true), cell: (r) => bars(r.items) },
  ]);
  showTimelineSwap();
}

// A team chosen on the timeline, to swap one of its members there and then.
function openTimelineSwap(caseId, person) {
  state.tlSwap = { case: caseId, person };
  showTimelineSwap();
  $("timeline-swap").scrollIntoView({ block: "nearest" });
}

function showTimelineSwap() {
  const box = $("timeline-swap");
  const chosen = state.tlSwap;
  const entry = chosen && state.roster && state.roster.cases.find((e) => e.id === chosen.case);
  const c = chosen && state.index && state.index.case.get(chosen.case);
  if (!entry || !entry.staffed || !c) { box.replaceChildren(); box.dataset.shown = ""; return; }
  // Drawn anew only for another team or roster (or language), not when the timeline is
  // searched or turned to another page: the answer to a swap stays in view.
  const shown = `${state.rosterId}|${chosen.case}|${chosen.person}|${state.lang}`;
  if (box.dataset.shown === shown && box.firstChild) return;
  box.dataset.shown = shown;
  box.replaceChildren(el("h3", {}, t("console.tl_swap_head", { case: c.id, title: caseTitle(c) })),
    teamTable(entry), swapForm(entry, "tl-swap", chosen.person),
    el("div", { id: "tl-swap-result", role: "status", "aria-live": "polite" }));
}

// --- solving ----------------------------------------------------------------------------

async function solve(seconds, keep) {
  const job = await api("POST", "/jobs", { scenario_id: state.scenarioId, seconds, keep });
  state.jobId = job.id;
  $("cancel").hidden = false;
  showProgress(job);
  clearTimeout(state.timer);
  state.timer = setTimeout(() => guarded(() => poll(job.id)), POLL_MS);
}

// One poll at a time: the next is asked for only once this one is answered, so a slow
// answer never leads to the roster being fetched twice.
async function poll(jobId) {
  if (jobId !== state.jobId) return;  // another solve started meanwhile
  let job;
  try {
    job = await api("GET", `/jobs/${jobId}`);
  } catch (err) {
    state.timer = setTimeout(() => guarded(() => poll(jobId)), POLL_MS);
    throw err;
  }
  if (jobId !== state.jobId) return;
  showProgress(job);
  if (["done", "failed", "cancelled"].includes(job.state)) {
    $("cancel").hidden = true;
    if (job.roster_id) await showRoster(job.roster_id);
  } else {
    state.timer = setTimeout(() => guarded(() => poll(jobId)), POLL_MS);
  }
}

// Progress in the planner's words: what the search is doing, how much priority it has
// staffed of the most any roster can, and the lowest cost any roster could have.
function showProgress(job) {
  state.job = job;
  const obj = job.roster && job.roster.objective;
  const p = obj ? { phase: term("status", job.roster.status), staffed_priority: obj.staffed_priority,
                    cost: obj.cost, bound: job.roster.bound, priority_bound: job.roster.priority_bound }
                : { ...(job.progress || {}) };
  if (!obj && p.phase != null) p.phase = term("phase", p.phase);
  const unknown = t("console.not_yet");
  const most = p.priority_bound != null ? t("console.at_most", { bound: p.priority_bound }) : "";
  const rows = [["state", term("job", job.state)], ["phase", p.phase ?? unknown],
                ["priority", p.staffed_priority != null ? `${p.staffed_priority}${most}` : unknown],
                ["cost", p.cost != null ? p.cost.toFixed(1) : unknown],
                ["bound", p.bound != null ? p.bound.toFixed(1) : unknown],
                ["elapsed", job.elapsed != null ? job.elapsed.toFixed(1) : unknown]];
  if (job.error) rows.push(["error", job.error]);
  $("progress").replaceChildren(...rows.flatMap(([k, v]) => [el("dt", {}, t(`console.p_${k}`)), el("dd", {}, v)]));
}

// --- the roster -------------------------------------------------------------------------

async function showRoster(rosterId, read = null) {
  const view = read || await api("GET", `/rosters/${rosterId}`);
  const util = await api("GET", `/rosters/${rosterId}/utilisation`);
  performance.mark("roster-data");
  state.rosterId = rosterId;
  state.roster = view.roster;
  state.util = util;
  showOverview();
  await breathe();
  showCases();
  await breathe();
  showPeople();
  if (state.selected) selectCase(state.selected);
  if (!$("view-timeline").hidden) showTimeline();
  const r = view.roster;
  $("commit-cases").replaceChildren(el("legend", {}, t("console.commit_cases")),
    ...r.cases.filter((c) => c.staffed).map((c) => el("label", {},
      el("input", { type: "checkbox", value: c.id, checked: true }), ` ${c.id}`)));
  $("commit-result").textContent = "";
  $("roster-section").hidden = false;
  $("whatif-section").hidden = false;
  $("whatif-empty").hidden = true;
  $("sweep-section").hidden = false;
  syncLink();
  performance.mark("roster-shown");
  performance.measure("roster-render", "roster-data", "roster-shown");
}

// The overview: the figures, the worklist of unstaffed cases, the offices down to their
// home-staffing minimum and the most loaded people, each with the day.
function showOverview() {
  const r = state.roster;
  if (!r) return;
  $("overview-empty").hidden = true;
  const staffed = r.cases.filter((c) => c.staffed);
  const unstaffed = r.cases.filter((c) => !c.staffed);
  const cases = state.index.case;
  const total = r.cases.reduce((sum, e) => sum + ((cases.get(e.id) || {}).priority || 0), 0);
  const obj = r.objective;
  const figure = (label, value, note) => el("div", { class: "figure" },
    el("span", { class: "value" }, value), el("span", { class: "label" }, t(label)), note ? el("span", { class: "note" }, note) : null);
  const figures = el("div", { class: "figures", id: "roster-summary" },
    figure("console.f_status", term("status", r.status)),
    figure("console.f_staffed", t("console.of", { n: staffed.length, total: r.cases.length })),
    figure("console.f_unstaffed", String(unstaffed.length),
           t("console.mandatory_count", { n: unstaffed.filter((e) => (cases.get(e.id) || {}).mandatory).length })),
    figure("console.f_priority", obj ? String(obj.staffed_priority) : t("console.not_yet"),
           r.priority_bound != null ? t("console.priority_of", { bound: r.priority_bound, total }) : t("console.priority_total", { total })),
    figure("console.f_cost", obj ? obj.cost.toFixed(1) : t("console.not_yet"),
           r.bound != null ? t("console.cost_bound", { bound: r.bound.toFixed(1) }) : null));
  const work = [...unstaffed].sort((a, b) => ((cases.get(b.id) || {}).priority || 0) - ((cases.get(a.id) || {}).priority || 0));
  const worklist = work.length
    ? el("ol", { class: "worklist" }, ...work.slice(0, 100).map((e) => {
        const c = cases.get(e.id) || { priority: "", mandatory: false };
        return el("li", {}, el("button", { type: "button", class: "case-button", onclick: () => go("cases", e.id) }, e.id),
          " ", caseTitle(c), " ", el("span", { class: "tag" }, t("console.priority_tag", { priority: c.priority })),
          c.mandatory ? el("span", { class: "tag warn" }, t("console.mandatory_word")) : null,
          el("div", { class: "unstaffed" }, reasonText(e.unstaffed_reason) || t("console.no_reason")));
      }), work.length > 100 ? el("li", {}, t("console.more_in_cases", { n: work.length - 100 })) : null)
    : el("p", {}, t("console.all_staffed"));
  const u = state.util;
  const low = u.offices.map((o) => {
    const days = o.at_home.map((h, i) => (h <= o.need[i] && o.need[i] > 0 ? i : -1)).filter((i) => i >= 0);
    return { o, days };
  }).filter((x) => x.days.length).sort((a, b) => b.days.length - a.days.length);
  const offices = low.length
    ? el("ul", {}, ...low.slice(0, 15).map(({ o, days }) => el("li", {},
        t("console.at_minimum", { office: officeName(o.unit), days: days.length, first: shortDay(u.days[days[0]]),
                                  home: o.at_home[days[0]], need: o.need[days[0]] }))))
    : el("p", {}, t("console.no_office_at_minimum"));
  const busiest = [...peaks().values()].sort((a, b) => b.share - a.share).slice(0, 10);
  const people = busiest.length
    ? el("ol", {}, ...busiest.map((x) => el("li", {},
        t("console.loaded", { name: personName({ prosecutor: x.row.id, name: x.row.name }), office: officeName(x.row.home),
                              share: Math.round(100 * x.share), day: shortDay(x.day) }))))
    : el("p", {}, t("console.nobody_serving"));
  $("overview").replaceChildren(figures, el("div", { class: "panels" },
    el("section", { class: "panel" }, el("h3", {}, t("console.worklist", { n: unstaffed.length })), worklist),
    el("section", { class: "panel" }, el("h3", {}, t("console.offices_at_minimum")), offices,
      el("h3", {}, t("console.most_loaded")), people)));
}

// --- the map ----------------------------------------------------------------------------

const MAP_W = 800, MAP_H = 520;

// Offices at one seat (a city's procuratorate and its district's) are one marker.
function seats(units) {
  const at = new Map();
  for (const u of units) {
    const key = `${u.location.lat.toFixed(3)},${u.location.lon.toFixed(3)}`;
    if (!at.has(key)) at.set(key, { units: [], lat: u.location.lat, lon: u.location.lon });
    at.get(key).units.push(u);
  }
  return [...at.values()];
}

// The first view fits the offices that lie together, leaving out one far away (the
// provincial office hundreds of kilometres south); "whole area" shows them all.
function fitView(points, all) {
  let chosen = points;
  if (!all && points.length > 4) {
    const xs = points.map((p) => p.x).sort((a, b) => a - b), ys = points.map((p) => p.y).sort((a, b) => a - b);
    const mx = xs[xs.length >> 1], my = ys[ys.length >> 1];
    const dist = points.map((p) => Math.hypot(p.x - mx, p.y - my)).sort((a, b) => a - b);
    const limit = 3 * dist[Math.floor(dist.length * 0.75)] + 1e-6;
    chosen = points.filter((p) => Math.hypot(p.x - mx, p.y - my) <= limit);
  }
  const xs = chosen.map((p) => p.x), ys = chosen.map((p) => p.y);
  const w = Math.max(Math.max(...xs) - Math.min(...xs), 1e-3), h = Math.max(Math.max(...ys) - Math.min(...ys), 1e-3);
  return { cx: (Math.max(...xs) + Math.min(...xs)) / 2, cy: (Math.max(...ys) + Math.min(...ys)) / 2,
           k: Math.min((MAP_W - 320) / w, (MAP_H - 80) / h) };
}

function drawMap() {
  const scenario = state.scenario;
  const map = $("map");
  map.setAttribute("viewBox", `0 0 ${MAP_W} ${MAP_H}`);
  if (!scenario) { map.replaceChildren(); return; }
  const lats = scenario.units.map((u) => u.location.lat);
  const kx = Math.cos(((Math.min(...lats) + Math.max(...lats)) / 2) * Math.PI / 180);
  const world = (u) => ({ x: u.location.lon * kx, y: -u.location.lat });
  const groups = seats(scenario.units).map((g) => ({ ...g, ...world(g.units[0]) }));
  state.mapView ||= fitView(groups, false);
  const v = state.mapView;
  const at = (p) => [MAP_W / 2 + (p.x - v.cx) * v.k, MAP_H / 2 + (p.y - v.cy) * v.k];
  const seatOf = new Map();
  for (const g of groups) for (const u of g.units) seatOf.set(u.id, g);
  const xy = (id) => at(seatOf.get(id));
  const nodes = [];
  const line = (a, b, cls) => {
    const [x1, y1] = xy(a), [x2, y2] = xy(b);
    nodes.push(svg("line", { x1, y1, x2, y2, class: cls }));
  };
  for (const r of scenario.roads) line(r.a, r.b, "road");
  for (const p of scenario.pairs) line(p.units[0], p.units[1], "pair");
  for (const g of scenario.groups) for (const m of g.members) if (m !== g.lead) line(g.lead, m, "group");
  const staff = {};
  for (const p of scenario.prosecutors) staff[p.home] = (staff[p.home] || 0) + 1;
  const c = state.selected && state.index.case.get(state.selected);
  const entry = c && state.roster && state.roster.cases.find((e) => e.id === c.id);
  const team = entry && entry.staffed ? entry.team : [];
  const involved = new Set(c ? [c.venue, ...team.map((m) => m.home)] : []);
  const dots = groups.map((g) => {
    const [x, y] = at(g);
    const people = g.units.reduce((n, u) => n + (staff[u.id] || 0), 0);
    const r = 4 + 2 * Math.sqrt(people);
    const chosen = g.units.some((u) => involved.has(u.id));
    const dot = svg("circle", { cx: x, cy: y, r, class: chosen ? "unit chosen" : "unit", tabindex: "0",
                                "data-units": g.units.map((u) => u.id).join(" ") });
    const title = svg("title");
    title.textContent = g.units.map((u) => t("console.staff_count", { office: officeName(u.id), people: staff[u.id] || 0 })).join("\n");
    dot.append(title);
    // An office clicked: its cases listed under the map, to choose one, and in the table.
    const pick = () => {
      state.mapOffice = g.units.map((u) => u.id);
      (tables.cases ||= { page: 0, sort: null, dir: 1, filters: {} }).filters.office = g.units[0].id;
      tables.cases.page = 0;
      showCases();
      drawMap();
    };
    dot.addEventListener("click", pick);
    dot.addEventListener("keydown", (e) => { if (e.key === "Enter") pick(); });
    nodes.push(dot);
    return { g, x, y, r };
  });
  // Nothing is written over a marker: every dot (and the venue's ring) is taken space.
  const boxes = dots.map(({ x, y, r }) => ({ x: x - r - 1, y: y - r - 1, w: 2 * r + 2, h: 2 * r + 2 }));
  const font = getComputedStyle(map).fontFamily;
  // The chosen team over everything: a line from each member's office to the venue, with
  // the travel minutes.
  const minutes = [];
  if (c) {
    const [vx, vy] = xy(c.venue);
    boxes.push({ x: vx - 8, y: vy - 8, w: 16, h: 16 });
    // One line from each office the team comes from (its members travel alike).
    const drawn = new Set();
    for (const m of team) {
      const way = `${seatOf.get(m.home) ? xy(m.home).join() : ""}|${m.on_site}`;
      if (m.home === c.venue || !seatOf.has(m.home) || drawn.has(way)) continue;
      drawn.add(way);
      const [x1, y1] = xy(m.home), [x2, y2] = xy(c.venue);
      const text = m.on_site ? t("console.minutes", { minutes: m.travel_minutes.toFixed(0) }) : t("member.video");
      const line = svg("line", { x1, y1, x2, y2, class: m.on_site ? "travel" : "travel video" });
      const title = svg("title");
      title.textContent = `${officeName(m.home)}: ${text}`;
      line.append(title);
      nodes.push(line);
      // Beside the line (its middle first), where no marker or other minutes are; where
      // there is no room, the line's tooltip says it.
      const size = textSize(text, `600 12px ${font}`);
      let spot = null;
      for (const gap of [0, 10, 20]) {
        for (const f of [0.5, 0.35, 0.65, 0.2, 0.8]) {
          spot = labelBox(size.w, x1 + (x2 - x1) * f, y1 + (y2 - y1) * f, gap, boxes, size.h);
          if (spot) break;
        }
        if (spot) break;
      }
      if (!spot) continue;
      boxes.push(spot);
      minutes.push([spot, text, size.ascent]);
    }
    nodes.push(svg("circle", { cx: vx, cy: vy, r: 6, class: "venue" }));
  }
  for (const [spot, text, ascent] of minutes) {
    const label = svg("text", { x: spot.x + 2, y: spot.y + ascent, class: "minutes" });
    label.textContent = text;
    nodes.push(label);
  }
  for (const { g, x, y, r } of dots) {
    if (x < -50 || y < -20 || x > MAP_W + 50 || y > MAP_H + 20) continue;
    const names = g.units.map((u) => officeName(u.id));
    const text = names.length > 1 ? t("console.seat_offices", { first: names[0], more: names.length - 1 }) : names[0];
    const size = textSize(text, `11px ${font}`);
    const box = labelBox(size.w, x, y, r, boxes, size.h);
    if (!box) continue;  // no room: the name is in the marker's tooltip
    boxes.push(box);
    const label = svg("text", { x: box.x + 2, y: box.y + size.ascent, class: "label" });
    label.textContent = text;
    nodes.push(label);
  }
  map.replaceChildren(...nodes);
  $("map-case").textContent = c ? t("console.map_case", { case: c.id, title: caseTitle(c) }) : "";
  showMapOffice();
}

// The cases of the office last clicked on the map, each to choose: the choice is the
// case chosen in the table too (and the table's page turns to it).
function showMapOffice() {
  const box = $("map-office");
  const units = state.mapOffice && state.scenario ? state.mapOffice.filter((id) => state.index.unit.has(id)) : [];
  if (!units.length) { box.replaceChildren(); return; }
  const cases = state.scenario.cases.filter((c) => units.includes(c.venue) || units.includes(c.lead_unit));
  const view = parseLink().view === "map" ? "map" : "cases";
  box.replaceChildren(el("h3", {}, units.map(officeName).join(t("sep.comma"))),
    cases.length
      ? el("ul", { class: "map-cases" }, ...cases.map((c) => el("li", {},
          el("button", { type: "button", class: "map-case", "data-case": c.id, "aria-pressed": String(c.id === state.selected),
                         onclick: () => go(view, c.id) }, `${c.id}${caseTitle(c) ? ` ${caseTitle(c)}` : ""}`))))
      : el("p", {}, t("console.office_no_cases")));
}

// Labels never cover each other, a marker or the chosen team's minutes: try right, left,
// above and below the dot, then a little further; a label with no room is left out (its
// office is named in the marker's tooltip). Widths are measured in the page's own font,
// Chinese and Mongolian included, with the white halo around the letters.
let measure = null;
function textSize(text, font) {
  measure ||= document.createElement("canvas").getContext("2d");
  measure.font = font;
  const m = measure.measureText(text);
  // The font's own box (as the SVG text's box is), with a pixel of halo each way; a CJK
  // fallback's ascent or descent may reach further than the first font's: room for it.
  const ascent = Math.ceil(m.fontBoundingBoxAscent || m.actualBoundingBoxAscent) + 2;
  const descent = Math.ceil(m.fontBoundingBoxDescent || m.actualBoundingBoxDescent) + 2;
  return { w: Math.ceil(m.width) + 4, h: ascent + descent, ascent };
}
function labelBox(w, x, y, r, taken, h) {
  const spots = [[x + r + 2, y - h / 2], [x - r - 2 - w, y - h / 2], [x - w / 2, y - r - h - 1],
                 [x - w / 2, y + r + 1], [x + r + 2, y + h / 2], [x + r + 2, y - 1.5 * h],
                 [x - r - 2 - w, y + h / 2], [x - r - 2 - w, y - 1.5 * h]];
  const clear = (b) => b.x >= 0 && b.x + b.w <= MAP_W && b.y >= 0 && b.y + b.h <= MAP_H &&
    !taken.some((o) => b.x < o.x + o.w && o.x < b.x + b.w && b.y < o.y + o.h && o.y < b.y + b.h);
  for (const [bx, by] of spots) {
    const box = { x: bx, y: by, w, h };
    if (clear(box)) return box;
  }
  return null;
}

function zoom(factor, sx = MAP_W / 2, sy = MAP_H / 2) {
  const v = state.mapView;
  if (!v) return;
  const wx = v.cx + (sx - MAP_W / 2) / v.k, wy = v.cy + (sy - MAP_H / 2) / v.k;
  v.k *= factor;
  v.cx = wx - (sx - MAP_W / 2) / v.k;
  v.cy = wy - (sy - MAP_H / 2) / v.k;
  drawMap();
}

function wireMap() {
  const map = $("map");
  const local = (e) => {
    const box = map.getBoundingClientRect();
    return [(e.clientX - box.left) * MAP_W / box.width, (e.clientY - box.top) * MAP_H / box.height];
  };
  map.addEventListener("wheel", (e) => { e.preventDefault(); const [x, y] = local(e); zoom(e.deltaY < 0 ? 1.25 : 0.8, x, y); },
                       { passive: false });
  let drag = null;
  map.addEventListener("pointerdown", (e) => { if (e.target.tagName === "svg") { drag = local(e); map.setPointerCapture(e.pointerId); } });
  map.addEventListener("pointermove", (e) => {
    if (!drag || !state.mapView) return;
    const [x, y] = local(e);
    state.mapView.cx -= (x - drag[0]) / state.mapView.k;
    state.mapView.cy -= (y - drag[1]) / state.mapView.k;
    drag = [x, y];
    drawMap();
  });
  map.addEventListener("pointerup", () => { drag = null; });
  $("zoom-in").addEventListener("click", () => zoom(1.5));
  $("zoom-out").addEventListener("click", () => zoom(1 / 1.5));
  $("zoom-reset").addEventListener("click", () => {
    if (!state.scenario) return;
    const lats = state.scenario.units.map((u) => u.location.lat);
    const kx = Math.cos(((Math.min(...lats) + Math.max(...lats)) / 2) * Math.PI / 180);
    state.mapView = fitView(state.scenario.units.map((u) => ({ x: u.location.lon * kx, y: -u.location.lat })), true);
    drawMap();
  });
}

// --- committing -------------------------------------------------------------------------

// A refused commit: what was refused and why, each clash with who committed and when,
// and what to do next (release the commitments, or solve again).
function refusal(out, err) {
  const taken = err.errors.some((e) => (e.code || "").startsWith("invalid.committed_already"));
  out.className = "conflict";
  out.replaceChildren(el("strong", {}, t("console.commit_refused")), " ", el("span", {}, err.detail),
    el("ul", {}, ...err.errors.map((e) => el("li", {}, e.id ? `${e.id}: ${e.message}` : e.message))),
    taken ? el("a", { href: "#/commitments" }, t("console.release_hint")) : el("span", {}, t("console.solve_again")));
}

async function commit() {
  const cases = [...$("commit-cases").querySelectorAll("input:checked")].map((i) => i.value);
  const out = $("commit-result");
  try {
    const made = await api("POST", `/rosters/${state.rosterId}/commit`,
                           { cases, reason: $("commit-reason").value });
    out.className = "ok";
    out.textContent = t("console.committed", { cases: made.cases.join(t("sep.comma")),
                                               assignments: made.commitments.length });
    await loadCommitments();
  } catch (err) {
    if (!(err instanceof Problem) || err.status !== 409) throw err;
    refusal(out, err);
  }
}

async function loadCommitments() {
  const params = new URLSearchParams({ limit: "500" });
  for (const [id, key] of [["cm-case", "case"], ["cm-person", "prosecutor"], ["cm-office", "office"]]) {
    if ($(id).value.trim()) params.set(key, $(id).value.trim());
  }
  if ($("cm-all").checked) params.set("active", "false");
  const page = await api("GET", `/commitments?${params}`);
  const rows = page.items;
  pagedTable("commitments", $("commitments"), rows, [
    { key: "case", label: "console.case", sort: (c) => c.case_id, cell: (c) => c.case_id },
    { key: "person", label: "console.col_person", sort: (c) => c.prosecutor_id,
      cell: (c) => personName({ prosecutor: c.prosecutor_id }) },
    { key: "office", label: "console.office", sort: (c) => c.unit_id, cell: (c) => officeName(c.unit_id) },
    { key: "slot", label: "console.col_slot", cell: (c) => t(`slot.${c.slot}`) },
    { key: "start", label: "console.dates", sort: (c) => c.start, cell: (c) => `${c.start} – ${c.end}` },
    { key: "state", label: "console.state", cell: (c) => (c.released_at
        ? t("console.released", { at: moment(c.released_at), reason: c.release_reason || "" })
        : releaseForm(c)) },
  ], { caption: t("console.commitments_total", { n: page.total }) });
}

// Releasing takes a reason, kept in the audit trail.
function releaseForm(c) {
  const id = `release-${c.id}`;
  const reason = el("input", { id, type: "text", required: true, placeholder: t("console.release_reason_hint") });
  return el("form", { class: "release row", onsubmit: (e) => {
    e.preventDefault();
    guarded(async () => {
      await api("POST", `/commitments/${c.id}/release`, { reason: reason.value });
      await loadCommitments();
    });
  } }, el("label", { for: id, class: "sr-only" }, t("console.reason")), reason,
     el("button", { type: "submit" }, t("console.release")));
}

// --- the audit trail ----------------------------------------------------------------------

async function loadAudit(offset = null) {
  const params = new URLSearchParams({ limit: String(PAGE) });
  for (const [id, key] of [["au-case", "case"], ["au-person", "prosecutor"], ["au-office", "office"]]) {
    if ($(id).value.trim()) params.set(key, $(id).value.trim());
  }
  if ($("au-scenario").checked && state.scenarioId) params.set("scenario", state.scenarioId);
  // The newest entries first: the trail is read from its end.
  if (offset === null) {
    const count = await api("GET", `/audit?${params}&limit=1`);
    offset = Math.max(0, count.total - PAGE);
  }
  params.set("offset", String(offset));
  const page = await api("GET", `/audit?${params}`);
  const rows = [...page.items].reverse();
  const table = el("table", { class: "grid" },
    el("caption", {}, t("console.audit_total", { n: page.total })),
    el("thead", {}, el("tr", {}, ...["col_seq", "col_at", "col_actor", "col_action", "case", "col_person", "office", "reason"]
      .map((h) => el("th", { scope: "col" }, t(`console.${h}`))))),
    el("tbody", {}, ...rows.map((e) => el("tr", {}, el("td", { class: "num" }, String(e.seq)), el("td", {}, moment(e.at)),
      el("td", {}, e.actor), el("td", {}, term("event", e.action)), el("td", {}, e.case_id || ""),
      el("td", {}, e.prosecutor_id ? personName({ prosecutor: e.prosecutor_id }) : ""),
      el("td", {}, e.unit_id ? officeName(e.unit_id) : ""), el("td", {}, e.reason || "")))));
  const pager = el("div", { class: "pager row" },
    el("button", { type: "button", disabled: offset + PAGE >= page.total, onclick: () => guarded(() => loadAudit(offset + PAGE)) }, t("console.newer")),
    el("span", {}, page.total ? t("console.rows_of", { first: offset + 1, last: offset + page.items.length, total: page.total }) : t("console.no_rows")),
    el("button", { type: "button", disabled: offset === 0, onclick: () => guarded(() => loadAudit(Math.max(0, offset - PAGE))) }, t("console.older")));
  $("audit").replaceChildren(table, pager);
}

async function verifyAudit() {
  const v = await api("GET", "/audit/verify");
  $("audit-verdict").className = v.intact ? "ok" : "conflict";
  $("audit-verdict").textContent = v.intact ? t("console.audit_intact", { n: v.entries })
    : t("console.audit_broken", { at: v.broken_at, problem: v.problem || "" });
}

// --- what if ----------------------------------------------------------------------------

function fillWhatIf(s) {
  const people = (q) => s.prosecutors.map((p, i) => [p, i])
    .filter(([p]) => !q || `${p.id} ${p.name} ${p.name_zh || ""} ${officeName(p.home)}`.toLowerCase().includes(q));
  const fillPeople = () => {
    const q = $("wi-person-search").value.trim().toLowerCase();
    $("wi-person").replaceChildren(el("option", { value: "" }, t("console.nobody")),
      ...people(q).slice(0, 300).map(([p, i]) => el("option", { value: i }, `${personName({ prosecutor: p.id })} (${officeName(p.home)})`)));
  };
  $("wi-person-search").oninput = fillPeople;
  fillPeople();
  $("wi-road").replaceChildren(el("option", { value: "" }, t("console.none")),
    ...s.roads.map((r, i) => el("option", { value: i }, t("console.road_option", { a: officeName(r.a), b: officeName(r.b), minutes: r.minutes }))));
  $("wi-case-venue").replaceChildren(...s.units.map((u) => el("option", { value: u.id }, officeName(u.id))));
  $("wi-prio-case").replaceChildren(el("option", { value: "" }, t("console.none")),
    ...s.cases.map((c, i) => el("option", { value: i }, `${c.id} (${c.priority})`)));
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
  const prio = $("wi-prio-case").value;
  if (prio !== "") patch.push({ op: "replace", path: `/cases/${prio}/priority`, value: Number($("wi-prio-value").value) });
  return patch;
}

async function whatIf() {
  const patch = whatIfPatch();
  if (!patch.length) throw new Error(t("console.choose_change"));
  const result = await api("POST", `/scenarios/${state.scenarioId}/what-if`,
                           { base_roster_id: state.rosterId, variants: [{ name: $("wi-name").value, patch }] });
  showWhatIf(result);
  await loadVariants();
}

// Every variant asked on the same base roster, side by side: staffed priority, cost,
// travel, peak load, offices whose home staffing moved, and who moves.
function showComparison() {
  const all = state.compared || [];
  if (!all.length) { $("whatif-compare").replaceChildren(); return; }
  const rows = [
    ["d_priority", (c) => c.staffed_priority], ["d_cost", (c) => c.cost],
    ["d_travel", (c) => c.travel_minutes], ["d_peak", (c) => c.peak_utilisation]];
  const first = all[0].comparison;
  const moves = (c) => c.cases.map((ch) => `${ch.case}: ${[...ch.leaves.map((p) => `−${personName({ prosecutor: p })}`),
                                                          ...ch.joins.map((p) => `+${personName({ prosecutor: p })}`)].join(" ")}`);
  $("whatif-compare").replaceChildren(el("table", { class: "grid compare" },
    el("caption", {}, t("console.compare_caption", { n: all.length })),
    el("thead", {}, el("tr", {}, el("th", {}, ""), el("th", { class: "num" }, t("console.base")),
                       ...all.map((v) => el("th", { class: "num" }, v.name)))),
    el("tbody", {},
      ...rows.map(([name, pick]) => el("tr", {}, el("td", {}, t(`console.${name}`)),
        el("td", { class: "num" }, pick(first).before.toFixed(1)),
        ...all.map((v) => el("td", { class: "num" }, `${pick(v.comparison).after.toFixed(1)} (${pick(v.comparison).change >= 0 ? "+" : ""}${pick(v.comparison).change.toFixed(1)})`)))),
      el("tr", {}, el("td", {}, t("console.offices_moved")), el("td", {}, ""),
        ...all.map((v) => el("td", {}, v.comparison.offices.map((o) => t("console.office_home_change", {
          office: officeName(o.unit), before: o.lowest_at_home_before ?? "–", after: o.lowest_at_home_after ?? "–" })).join(t("sep.semicolon"))))),
      el("tr", {}, el("td", {}, t("console.who_moves")), el("td", {}, ""),
        ...all.map((v) => el("td", {}, moves(v.comparison).join(t("sep.semicolon")) || t("console.no_change")))))));
}

// A what-if's answer: the figures before and after, and each team that changed. The
// rosters' reasons are in the language the answer was asked in.
function showWhatIf(result) {
  if (!state.whatIf || state.whatIf.base_roster_id !== result.base_roster_id) state.compared = [];
  for (const v of result.variants) {
    state.compared = [...state.compared.filter((x) => x.roster_id !== v.roster_id), v];
  }
  state.whatIf = result;
  showComparison();
  const before = Object.fromEntries(result.base.cases.map((e) => [e.id, e]));
  $("whatif-result").replaceChildren(...result.variants.flatMap((variant) => {
    const c = variant.comparison;
    const deltas = [["d_priority", c.staffed_priority], ["d_cost", c.cost],
                    ["d_travel", c.travel_minutes], ["d_peak", c.peak_utilisation]];
    const figures = el("table", { class: "deltas" },
      el("thead", {}, el("tr", {}, ...["", t("console.before"), t("console.after"), t("console.change")]
        .map((h) => el("th", {}, h)))),
      el("tbody", {}, ...deltas.map(([name, d]) => el("tr", { class: d.change ? "changed" : null },
        el("td", {}, t(`console.${name}`)), el("td", { class: "num" }, d.before.toFixed(1)),
        el("td", { class: "num" }, d.after.toFixed(1)), el("td", { class: "num" }, d.change.toFixed(1))))));
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
    return [el("h3", {}, t("console.variant_head", { name: variant.name, status: term("status", variant.roster.status) })),
            figures, ...changed];
  }));
}

// The variants tried on this scenario, each with its roster, to adopt (commit) one.
async function loadVariants() {
  let page;
  try {
    page = await api("GET", `/scenarios/${state.scenarioId}/variants?limit=50`);
  } catch (err) {
    // A key of part of the province sees no variants (what-ifs change the whole province).
    if (!(err instanceof Problem) || err.status !== 404) throw err;
    page = { items: [] };
  }
  if (!page.items.length) { $("variants").replaceChildren(el("p", {}, t("console.no_variants"))); return; }
  const reason = el("input", { id: "adopt-reason", type: "text", placeholder: t("console.reason_hint") });
  const shown = new Set((state.compared || []).map((v) => v.roster_id));
  // Any variants tried on this scenario, earlier or by someone else, set side by side.
  const pick = (v) => v.roster_id
    ? el("input", { type: "checkbox", class: "compare-pick", value: v.id, checked: shown.has(v.roster_id),
                    "aria-label": t("console.compare_pick", { name: v.name }) })
    : "";
  $("variants").replaceChildren(el("p", { class: "row" }, el("label", { for: "adopt-reason" }, t("console.reason")), reason),
    el("table", { class: "grid" },
      el("thead", {}, el("tr", {}, ...["col_compare", "variant", "col_tried", "col_version", ""].map((h) => el("th", {}, h ? t(`console.${h}`) : "")))),
      el("tbody", {}, ...page.items.map((v) => el("tr", {}, el("td", {}, pick(v)), el("td", {}, v.name), el("td", {}, moment(v.created_at)),
        el("td", {}, `v${v.base_version}`),
        el("td", {}, v.roster_id ? el("button", { type: "button", class: "adopt", onclick: () => guarded(() => adopt(v, reason.value)) },
                                      t("console.adopt")) : ""))))),
    el("p", { class: "row" }, el("button", { type: "button", id: "compare-chosen",
      onclick: () => guarded(() => compareChosen(page.items)) }, t("console.compare_chosen"))));
}

// The variants ticked, each against the roster shown, side by side.
async function compareChosen(items) {
  const chosen = [...$("variants").querySelectorAll("input.compare-pick:checked")].map((x) => x.value);
  if (!chosen.length) throw new Error(t("console.choose_variants"));
  const base = state.rosterId ? `?base_roster_id=${encodeURIComponent(state.rosterId)}` : "";
  const found = [];
  for (const id of chosen) {
    const v = items.find((x) => x.id === id);
    const got = await api("GET", `/scenarios/${state.scenarioId}/variants/${id}/comparison${base}`);
    found.push({ name: v ? v.name : got.name, roster_id: got.roster_id, comparison: got.comparison });
  }
  state.compared = found;
  showComparison();
}

async function adopt(variant, reason) {
  const out = $("adopt-result");
  try {
    const made = await api("POST", `/scenarios/${state.scenarioId}/variants/${variant.id}/adopt`, { reason: reason || null });
    out.className = "ok";
    out.textContent = t("console.adopted", { name: variant.name, cases: made.cases.join(t("sep.comma")),
                                             assignments: made.commitments.length });
  } catch (err) {
    if (!(err instanceof Problem) || err.status !== 409) throw err;
    refusal(out, err);
  }
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
                                                         onclick: () => showMoves(o), tabindex: "0",
                                                         onkeydown: (e) => { if (e.key === "Enter") showMoves(o); } },
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
    link.href = "#/whatif";
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
  const row = (m, mark) => el("tr", { class: mark || null },
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
  $("error-close").addEventListener("click", () => showError(null));
  $("open-scenario").addEventListener("click", () => guarded(() => openScenario($("scenario-pick").value)));
  $("upload").addEventListener("change", (e) => guarded(() => upload(e.target.files[0])));
  $("solve").addEventListener("submit", (e) => { e.preventDefault(); guarded(() => solve(Number($("seconds").value))); });
  $("cancel").addEventListener("click", () => guarded(() => api("DELETE", `/jobs/${state.jobId}`)));
  $("commit").addEventListener("submit", (e) => { e.preventDefault(); guarded(commit); });
  $("commitment-filters").addEventListener("submit", (e) => { e.preventDefault(); guarded(loadCommitments); });
  $("audit-filters").addEventListener("submit", (e) => { e.preventDefault(); guarded(() => loadAudit()); });
  $("audit-verify").addEventListener("click", () => guarded(verifyAudit));
  $("whatif").addEventListener("submit", (e) => { e.preventDefault(); guarded(whatIf); });
  $("timeline-filters").addEventListener("submit", (e) => e.preventDefault());
  $("tl-what").addEventListener("change", showTimeline);
  $("tl-search").addEventListener("input", showTimeline);
  $("sweep").addEventListener("submit", (e) => { e.preventDefault(); guarded(sweep); });
  window.addEventListener("hashchange", route);
  wireMap();
  route();
  if (state.key) { $("key").value = state.key; guarded(() => signIn(state.key)); }
});

// A reason is a code with parameters and its text in the language asked for; rosters
// stored before reasons had codes hold plain text.
function reasonText(reason) {
  if (!reason) return "";
  return typeof reason === "string" ? reason : reason.text || reason.code;
}
