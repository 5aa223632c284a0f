// The dashboard's core: the UI strings in English and Latvian, the taxonomy
// labels, the API client (the token stays in the tab's session storage),
// the hash router that keeps every page's state in the URL, and small DOM
// helpers. The other scripts add their pages to L.views.
"use strict";
const L = (window.L = { views: {}, timings: [] });

L.strings = {
  en: {
    title: "Personal-data lineage",
    subtitle: "Who received which personal data, when and why (GDPR Art. 15, Art. 30)",
    skip: "Skip to content",
    signInTitle: "Sign in",
    signInHelp: "Paste your API token. It stays in this browser tab only and is forgotten when you sign out or close the tab.",
    token: "API token",
    signIn: "Sign in",
    signOut: "Sign out",
    signedInAs: "Signed in as {name} ({role})",
    role_dpo: "data protection officer",
    role_access_responder: "access responder",
    navOverview: "Overview",
    navSubject: "Subject",
    navRegister: "Register",
    navEvents: "Events",
    loading: "Loading…",
    dpoOnly: "This page is for the data protection officer (DPO). Your role, access responder, may open the subject page only.",
    apiRefused: "The API refused: {status} {message}",
    from: "From",
    to: "To (exclusive)",
    apply: "Apply",
    last: "Last {n} days",
    window: "{from} – {to}",
    // overview
    overviewTitle: "Overview",
    openFlags: "Open problems now",
    openFlagsHelp: "Not limited to the dates above. Each count opens the list behind it.",
    approximate: "approximate",
    flag_consent_after_withdrawal: "Consent used after withdrawal",
    flag_opt_out_breached: "Opt-out breached",
    flag_retention_exceeded: "Retention exceeded",
    flag_erasure_unconfirmed: "Erasure not confirmed",
    flag_undeclared_recipient: "Undeclared recipients",
    flag_undeclared_country: "Undeclared countries or safeguards",
    flag_undeclared_purpose: "Undeclared purposes",
    flag_access_request_overdue: "Overdue access requests",
    totals: "In this period",
    countsEvents: "Each event is counted once, however often a source sent it; the events list behind a number shows the same events.",
    unsettled: "Events stored lately on {days} day(s) are not counted yet; they are being counted.",
    total_events: "Events",
    total_disclosures: "Disclosures to recipients",
    total_third_country_disclosures: "Disclosures outside the EU/EEA",
    total_subjects_approx: "Subjects (approx.)",
    chartPerDay: "Events per day, by source system",
    chartRecipients: "Recipients by category",
    chartBases: "Disclosures by legal basis and purpose",
    chartThird: "Transfers to third countries, by country and safeguard",
    chartCategories: "Events by data category",
    recipientsTitle: "Recipients in this period",
    capped: "Only the first {n} recipients are listed.",
    asTable: "Show as a table",
    allEvents: "Open these events",
    noData: "Nothing in this period.",
    day: "Day",
    total: "Total",
    events: "Events",
    recipients: "Recipients",
    category: "Category",
    country: "Country",
    safeguard: "Safeguard",
    purpose: "Purpose",
    legalBasis: "Legal basis",
    dataCategory: "Data category",
    sourceSystem: "Source system",
    recipientCategory: "Recipient category",
    first: "First",
    lastSeen: "Last",
    name: "Name",
    eeaOnly: "EU/EEA",
    // events
    eventsTitle: "Events",
    eventsFilter: "Filter",
    when: "When",
    kind: "Kind",
    subject: "Subject",
    actor: "Actor",
    recipient: "Recipient",
    more: "More events",
    noEvents: "No events match.",
    // subject
    subjectTitle: "Subject",
    searchTitle: "Find a customer",
    searchKind: "What the person presents",
    kind_customer_id: "Customer id",
    kind_msisdn: "Phone number",
    kind_personal_code: "Personal code",
    kind_contract: "Contract number",
    value: "Value",
    accessRequest: "Access request (AR-…)",
    accessRequestHelp: "Required for access responders: the open request this lookup answers.",
    search: "Search",
    holders: "Holders",
    holderPeriod: "{from} – {to}",
    holderNow: "now",
    holderAlways: "customer id",
    open: "Open",
    noHolders: "Nobody holds this identifier in the records.",
    lineageTitle: "Lineage of {id}",
    depth: "Depth",
    depth1: "Systems → recipients",
    depth2: "Sources → systems → recipients",
    allCategories: "All data categories",
    allPurposes: "All purposes",
    colSource: "Data sources",
    colSystem: "Operator's systems",
    colRecipient: "Recipients",
    selected: "Selected: {name}. Its paths are highlighted.",
    clearSelection: "Clear selection",
    noLineage: "No events of this subject match.",
    restricted: "restricted",
    withheld: "Some events are withheld: {what}.",
    edgesTable: "The same as a table",
    edgeFrom: "From",
    edgeTo: "To",
    report: "Access report",
    reportHelp: "Downloads the GDPR Art. 15 report of this subject for the dates chosen.",
    download: "{format}, {lang}",
    langName_lv: "latviski",
    langName_en: "English",
    downloaded: "Downloaded {file}.",
    nodeSourceNotStated: "not stated",
    // recipient
    recipientTitle: "Recipient",
    receivedCategories: "Data categories received",
    fromSystems: "Events per day, by source system",
    exposure: "Subjects whose data it received",
    exposureSubjects: "Subjects",
    exposureEvents: "Events",
    exposureUnresolved: "Events under an identifier no customer held",
    exposureRestricted: "Restricted events",
    harm: "Harm",
    breachExport: "Breach export (CSV of every subject)",
    // register
    registerTitle: "Record of processing activities",
    registerHelp: "The declared register, one row per activity and recipient, beside what the events show.",
    activity: "Activity",
    sourceSystems: "Source systems",
    dataCategories: "Data categories",
    retention: "Retention",
    difference: "What the events show",
    diffUnusedActivity: "never seen in the events",
    diffUnusedRecipient: "recipient never seen",
    diffTransfer: "seen elsewhere: {reason}",
    diffRecipient: "undeclared recipient seen: {reason}",
    diffOk: "as declared",
    undeclaredTitle: "Seen in the events but declared nowhere",
    exportCSV: "Export CSV",
    exportXLSX: "Export XLSX",
    all: "All",
    rowsShown: "{n} rows",
    // list
    listTitle: "List",
  },
  lv: {
    title: "Personas datu izcelsme",
    subtitle: "Kas saņēma kādus personas datus, kad un kāpēc (VDAR 15. un 30. pants)",
    skip: "Pāriet uz saturu",
    signInTitle: "Pieteikšanās",
    signInHelp: "Ielīmējiet savu API žetonu. Tas paliek tikai šajā pārlūka cilnē un tiek aizmirsts, kad izrakstāties vai aizverat cilni.",
    token: "API žetons",
    signIn: "Pieteikties",
    signOut: "Izrakstīties",
    signedInAs: "Pieteicies: {name} ({role})",
    role_dpo: "datu aizsardzības speciālists",
    role_access_responder: "piekļuves pieprasījumu apstrādātājs",
    navOverview: "Pārskats",
    navSubject: "Datu subjekts",
    navRegister: "Reģistrs",
    navEvents: "Notikumi",
    loading: "Ielādē…",
    dpoOnly: "Šī lapa ir datu aizsardzības speciālistam (DAS). Jūsu loma, piekļuves pieprasījumu apstrādātājs, drīkst atvērt tikai datu subjekta lapu.",
    apiRefused: "API atteica: {status} {message}",
    from: "No",
    to: "Līdz (neieskaitot)",
    apply: "Rādīt",
    last: "Pēdējās {n} dienas",
    window: "{from} – {to}",
    overviewTitle: "Pārskats",
    openFlags: "Atklātās problēmas šobrīd",
    openFlagsHelp: "Neatkarīgi no izvēlētajiem datumiem. Katrs skaitlis atver sarakstu, kas aiz tā.",
    approximate: "aptuveni",
    flag_consent_after_withdrawal: "Piekrišana izmantota pēc atsaukšanas",
    flag_opt_out_breached: "Atteikums no reklāmas neievērots",
    flag_retention_exceeded: "Glabāšanas termiņš pārsniegts",
    flag_erasure_unconfirmed: "Dzēšana nav apstiprināta",
    flag_undeclared_recipient: "Nedeklarēti saņēmēji",
    flag_undeclared_country: "Nedeklarētas valstis vai aizsardzības pasākumi",
    flag_undeclared_purpose: "Nedeklarēti nolūki",
    flag_access_request_overdue: "Nokavēti piekļuves pieprasījumi",
    totals: "Šajā periodā",
    countsEvents: "Katrs notikums ir saskaitīts vienreiz, lai cik reižu avots to būtu nosūtījis; aiz skaitļa esošajā notikumu sarakstā ir tie paši notikumi.",
    unsettled: "Nesen saglabātie notikumi {days} dienā(s) vēl nav saskaitīti; tie tiek skaitīti.",
    total_events: "Notikumi",
    total_disclosures: "Izpaušana saņēmējiem",
    total_third_country_disclosures: "Izpaušana ārpus ES/EEZ",
    total_subjects_approx: "Datu subjekti (aptuveni)",
    chartPerDay: "Notikumi dienā pa avota sistēmām",
    chartRecipients: "Saņēmēji pa kategorijām",
    chartBases: "Izpaušana pēc tiesiskā pamata un nolūka",
    chartThird: "Nosūtīšana uz trešām valstīm pēc valsts un aizsardzības pasākuma",
    chartCategories: "Notikumi pa datu kategorijām",
    recipientsTitle: "Saņēmēji šajā periodā",
    capped: "Parādīti tikai pirmie {n} saņēmēji.",
    asTable: "Rādīt tabulā",
    allEvents: "Atvērt šos notikumus",
    noData: "Šajā periodā nekā nav.",
    day: "Diena",
    total: "Kopā",
    events: "Notikumi",
    recipients: "Saņēmēji",
    category: "Kategorija",
    country: "Valsts",
    safeguard: "Aizsardzības pasākums",
    purpose: "Nolūks",
    legalBasis: "Tiesiskais pamats",
    dataCategory: "Datu kategorija",
    sourceSystem: "Avota sistēma",
    recipientCategory: "Saņēmēja kategorija",
    first: "Pirmais",
    lastSeen: "Pēdējais",
    name: "Nosaukums",
    eeaOnly: "ES/EEZ",
    eventsTitle: "Notikumi",
    eventsFilter: "Filtrs",
    when: "Kad",
    kind: "Veids",
    subject: "Datu subjekts",
    actor: "Izpildītājs",
    recipient: "Saņēmējs",
    more: "Vairāk notikumu",
    noEvents: "Neviens notikums neatbilst.",
    subjectTitle: "Datu subjekts",
    searchTitle: "Atrast klientu",
    searchKind: "Ko persona uzrāda",
    kind_customer_id: "Klienta numurs",
    kind_msisdn: "Tālruņa numurs",
    kind_personal_code: "Personas kods",
    kind_contract: "Līguma numurs",
    value: "Vērtība",
    accessRequest: "Piekļuves pieprasījums (AR-…)",
    accessRequestHelp: "Obligāts piekļuves pieprasījumu apstrādātājiem: atvērtais pieprasījums, uz kuru šī uzziņa atbild.",
    search: "Meklēt",
    holders: "Turētāji",
    holderPeriod: "{from} – {to}",
    holderNow: "šobrīd",
    holderAlways: "klienta numurs",
    open: "Atvērt",
    noHolders: "Šis identifikators nevienam nav piesaistīts.",
    lineageTitle: "{id} datu izcelsme",
    depth: "Dziļums",
    depth1: "Sistēmas → saņēmēji",
    depth2: "Avoti → sistēmas → saņēmēji",
    allCategories: "Visas datu kategorijas",
    allPurposes: "Visi nolūki",
    colSource: "Datu avoti",
    colSystem: "Operatora sistēmas",
    colRecipient: "Saņēmēji",
    selected: "Izvēlēts: {name}. Tā ceļi ir izcelti.",
    clearSelection: "Noņemt izvēli",
    noLineage: "Neviens šī datu subjekta notikums neatbilst.",
    restricted: "ierobežots",
    withheld: "Daži notikumi netiek rādīti: {what}.",
    edgesTable: "Tas pats tabulā",
    edgeFrom: "No",
    edgeTo: "Uz",
    report: "Piekļuves pārskats",
    reportHelp: "Lejupielādē šī datu subjekta VDAR 15. panta pārskatu par izvēlētajiem datumiem.",
    download: "{format}, {lang}",
    langName_lv: "latviski",
    langName_en: "English",
    downloaded: "Lejupielādēts {file}.",
    nodeSourceNotStated: "nav norādīts",
    recipientTitle: "Saņēmējs",
    receivedCategories: "Saņemtās datu kategorijas",
    fromSystems: "Notikumi dienā pa avota sistēmām",
    exposure: "Datu subjekti, kuru datus tas saņēma",
    exposureSubjects: "Datu subjekti",
    exposureEvents: "Notikumi",
    exposureUnresolved: "Notikumi ar identifikatoru, kas nevienam nepiederēja",
    exposureRestricted: "Ierobežoti notikumi",
    harm: "Kaitējums",
    breachExport: "Datu aizsardzības pārkāpuma eksports (CSV ar visiem datu subjektiem)",
    registerTitle: "Apstrādes darbību reģistrs",
    registerHelp: "Deklarētais reģistrs, viena rinda katrai darbībai un saņēmējam, blakus tam, ko rāda notikumi.",
    activity: "Darbība",
    sourceSystems: "Avota sistēmas",
    dataCategories: "Datu kategorijas",
    retention: "Glabāšana",
    difference: "Ko rāda notikumi",
    diffUnusedActivity: "notikumos nekad nav redzēta",
    diffUnusedRecipient: "saņēmējs nekad nav redzēts",
    diffTransfer: "redzēts citur: {reason}",
    diffRecipient: "redzēts nedeklarēts saņēmējs: {reason}",
    diffOk: "kā deklarēts",
    undeclaredTitle: "Redzēts notikumos, bet nekur nav deklarēts",
    exportCSV: "Eksportēt CSV",
    exportXLSX: "Eksportēt XLSX",
    all: "Visi",
    rowsShown: "{n} rindas",
    listTitle: "Saraksts",
  },
};

L.lang = localStorage.getItem("lineage-lang") || ((navigator.language || "").startsWith("lv") ? "lv" : "en");

// t returns the UI string key in the current language, with {name}
// placeholders filled from vars.
L.t = function (key, vars) {
  let s = L.strings[L.lang][key];
  if (s === undefined) s = L.strings.en[key];
  if (s === undefined) return key;
  for (const [k, v] of Object.entries(vars || {})) s = s.split("{" + k + "}").join(String(v));
  return s;
};

// The taxonomy of GET /v1/taxonomy, by list and code.
L.taxonomy = null;
L.label = function (list, code) {
  if (code == null || code === "") return "";
  const term = L.taxonomy && L.taxonomy.index[list] && L.taxonomy.index[list][code];
  if (!term) return code;
  return (L.lang === "lv" && term.name_lv) || term.name || code;
};
L.terms = function (list) {
  return (L.taxonomy && L.taxonomy[list]) || [];
};

// ApiError is an answer of the API other than 2xx.
class ApiError extends Error {
  constructor(status, body) {
    const e = (body && body.error) || {};
    super(status + " " + (e.field ? e.field + ": " : "") + (e.message || e.code || ""));
    this.status = status;
    this.code = e.code;
  }
}
L.ApiError = ApiError;

L.token = () => sessionStorage.getItem("lineage-token") || "";

// request sends one API request with the caller's token and returns the
// fetch Response; an answer other than 2xx throws an ApiError.
L.request = async function (path, options) {
  const o = options || {};
  const headers = { Authorization: "Bearer " + L.token() };
  if (o.body !== undefined) headers["Content-Type"] = "application/json";
  const began = performance.now();
  const res = await fetch(path, {
    method: o.method || "GET",
    headers,
    body: o.body === undefined ? undefined : JSON.stringify(o.body),
    cache: "no-store",
    credentials: "omit",
  });
  L.timings.push({ path: path.split("?")[0], status: res.status, ms: Math.round(performance.now() - began) });
  if (!res.ok) {
    const body = await res.json().catch(() => ({}));
    throw new ApiError(res.status, body);
  }
  return res;
};

// api returns the JSON answer of a request.
L.api = async (path, options) => (await L.request(path, options)).json();

// query builds "?a=1&b=2" from an object, leaving out empty values.
L.query = function (params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params || {})) {
    if (v !== undefined && v !== null && v !== "") q.set(k, v);
  }
  const s = q.toString();
  return s ? "?" + s : "";
};

// download fetches an export with the token and saves it as a file under
// the name the API gives (Content-Disposition), else fallback.
L.download = async function (path, fallback) {
  const res = await L.request(path);
  const blob = await res.blob();
  const cd = res.headers.get("Content-Disposition") || "";
  const m = /filename="?([^";]+)"?/.exec(cd);
  const name = m ? m[1] : fallback;
  const url = URL.createObjectURL(blob);
  const a = L.h("a", { href: url, download: name, hidden: true });
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60000);
  return name;
};

// h builds an element: h("a", {href: "#"}, "text", child, [more]).
// Attributes starting with "on" are listeners; class goes to className.
L.h = function (tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else if (k === "class") el.className = v;
    else if (v === true) el.setAttribute(k, "");
    else el.setAttribute(k, String(v));
  }
  L.append(el, children);
  return el;
};
L.append = function (el, ...children) {
  for (const c of children.flat(Infinity)) {
    if (c === undefined || c === null || c === false) continue;
    el.appendChild(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
};

const SVG = "http://www.w3.org/2000/svg";
L.s = function (tag, attrs, ...children) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, String(v));
  }
  L.append(el, children);
  return el;
};

L.num = (n) => (n == null ? "" : Number(n).toLocaleString(L.lang === "lv" ? "lv-LV" : "en-GB"));
L.date = (s) => (s ? String(s).slice(0, 10) : "");
L.time = (s) => (s ? String(s).replace("T", " ").replace(/\.\d+Z$|Z$/, " UTC") : "");
L.addDays = function (day, n) {
  const d = new Date(day + "T00:00:00Z");
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
};
L.today = () => new Date().toISOString().slice(0, 10);

// A table: columns [{label, num}], rows of cells (text, nodes or arrays).
L.table = function (columns, rows, attrs) {
  return L.h("table", attrs || {},
    L.h("thead", {}, L.h("tr", {}, columns.map((c) => L.h("th", { scope: "col", class: c.num ? "num" : null }, c.label)))),
    L.h("tbody", {}, rows.map((r) => L.h("tr", { class: r.className || null },
      (r.cells || r).map((v, i) => L.h("td", { class: columns[i] && columns[i].num ? "num" : null }, v))))));
};

L.tags = (codes, list) => (codes || []).map((c) => L.h("span", { class: "tag", title: c }, list ? L.label(list, c) : c));

// link returns an in-page link to a view with parameters.
L.href = (view, params) => "#/" + view + L.query(params);
L.link = (view, params, ...children) => L.h("a", { href: L.href(view, params) }, ...children);

// route is the current view and its parameters, from the URL's hash.
L.route = function () {
  const hash = location.hash.replace(/^#\/?/, "");
  const i = hash.indexOf("?");
  const name = (i < 0 ? hash : hash.slice(0, i)) || "";
  return { name, params: new URLSearchParams(i < 0 ? "" : hash.slice(i + 1)) };
};

// go changes the URL's state; the hashchange renders the page.
L.go = function (view, params) {
  const next = L.href(view, params);
  if (location.hash === next) L.render();
  else location.hash = next;
};

L.setState = function (state) {
  document.body.dataset.state = state;
};
L.showError = function (err) {
  const box = document.getElementById("error");
  box.textContent = err ? (err instanceof ApiError ? L.t("apiRefused", { status: err.status, message: err.message.replace(/^\d+ /, "") }) : err.message) : "";
  box.hidden = !err;
};

// dateRange is the date range control: two dates and presets; onApply
// gets {from, to} (YYYY-MM-DD, to exclusive).
L.dateRange = function (from, to, onApply) {
  const f = L.h("input", { type: "date", name: "from", value: from || "" });
  const tt = L.h("input", { type: "date", name: "to", value: to || "" });
  const presets = [7, 30, 90, 365].map((n) =>
    L.h("button", { type: "button", class: "secondary small", onclick: () => onApply({ from: L.addDays(L.today(), 1 - n), to: L.addDays(L.today(), 1) }) },
      L.t("last", { n })));
  const form = L.h("form", { class: "controls", "aria-label": L.t("from") + " / " + L.t("to") },
    L.h("label", {}, L.t("from"), f), L.h("label", {}, L.t("to"), tt),
    L.h("button", { type: "submit" }, L.t("apply")), presets);
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    onApply({ from: f.value, to: tt.value });
  });
  return form;
};

// select builds a labelled <select> of taxonomy codes with an "all" entry.
L.selectTerms = function (name, label, list, value, allLabel) {
  const sel = L.h("select", { name },
    L.h("option", { value: "" }, allLabel || L.t("all")),
    L.terms(list).map((term) => L.h("option", { value: term.code, selected: term.code === value }, L.label(list, term.code))));
  return L.h("label", {}, label, sel);
};
