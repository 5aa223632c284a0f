// The register page (the DPO only): the declared record of processing
// activities (GET /v1/register), one row per activity and recipient as in
// the Art. 30 export, beside what the events show
// (GET /v1/register/differences), differences flagged on their rows. The
// filters are the API's: the table and the CSV/XLSX export ask the API with
// the same ones, so the export holds exactly the rows on screen.
"use strict";
(function () {
  const FILTERS = [
    ["purpose", "purpose", "purposes"],
    ["legal_basis", "legalBasis", "legal_bases"],
    ["data_category", "dataCategory", "data_categories"],
    ["recipient_category", "recipientCategory", "recipient_categories"],
    ["source_system", "sourceSystem", "source_systems"],
  ];

  const term = (list, code) => (code ? L.label(list, code) + " (" + code + ")" : "");

  // rows returns the register's rows: one per activity and recipient, one
  // for an activity without recipients (as the export writes them).
  function rows(reg) {
    const out = [];
    for (const a of reg.activities || []) {
      const recipients = a.recipients && a.recipients.length ? a.recipients : [null];
      for (const r of recipients) out.push({ a, r });
    }
    return out;
  }

  function differences(d) {
    const byRow = new Map();
    const add = (activity, recipient, text) => {
      const k = activity + "\u0000" + (recipient || "");
      if (!byRow.has(k)) byRow.set(k, []);
      byRow.get(k).push(text);
    };
    for (const u of d.unused || []) add(u.activity_id, u.recipient_id, u.recipient_id ? L.t("diffUnusedRecipient") : L.t("diffUnusedActivity"));
    for (const f of d.undeclared_transfers || []) for (const a of f.activities) add(a, f.recipient_id, L.t("diffTransfer", { reason: f.reason }));
    return byRow;
  }

  L.views.register = {
    dpoOnly: true,
    title: () => L.t("registerTitle"),
    async render(root, params) {
      const filter = {};
      for (const [k] of FILTERS) if (params.get(k)) filter[k] = params.get(k);
      const [reg, diff] = await Promise.all([L.api("/v1/register" + L.query(filter)), L.api("/v1/register/differences")]);
      const flagged = differences(diff);
      const form = L.h("form", { class: "controls", id: "register-filters" },
        FILTERS.map(([k, label, list]) => L.selectTerms(k, L.t(label), list, filter[k])),
        L.h("button", { type: "submit" }, L.t("apply")));
      const apply = (ev) => {
        if (ev) ev.preventDefault();
        const next = {};
        for (const [k] of FILTERS) if (form.elements[k].value) next[k] = form.elements[k].value;
        L.go("register", next);
      };
      form.addEventListener("submit", apply);
      for (const [k] of FILTERS) form.elements[k].addEventListener("change", apply);
      const status = L.h("p", { class: "muted", id: "register-status", "aria-live": "polite" });
      const exporter = (format) => L.h("button", {
        type: "button", class: "secondary", "data-export": format,
        onclick: async () => {
          L.showError(null);
          try {
            const file = await L.download("/v1/register" + L.query(Object.assign({}, filter, { format, lang: L.lang })), "register." + format);
            status.textContent = L.t("downloaded", { file });
          } catch (err) {
            L.showError(err);
          }
        },
      }, L.t(format === "csv" ? "exportCSV" : "exportXLSX"));

      const cols = ["difference", "activity", "name", "purpose", "legalBasis", "dataCategories", "recipient", "recipientCategory", "country", "safeguard", "retention", "sourceSystems"];
      const list = rows(reg).map(({ a, r }) => {
        const notes = flagged.get(a.id + "\u0000" + (r ? r.id : "")) || flagged.get(a.id + "\u0000") || [];
        return {
          className: notes.length ? "flagged" : null,
          cells: [
            notes.length ? L.h("span", { class: "diff" }, notes.join("; ")) : L.h("span", { class: "muted" }, L.t("diffOk")),
            L.h("code", { "data-activity": a.id }, a.id),
            L.h("span", { title: a.note || "" }, L.lang === "lv" ? a.name_lv || a.name : a.name),
            term("purposes", a.purpose), term("legal_bases", a.legal_basis) + (a.legitimate_interest ? " §" + a.legitimate_interest : ""),
            L.tags(a.data_categories, "data_categories"),
            r ? L.h("span", { "data-recipient": r.legal_name }, r.legal_name) : "",
            r ? term("recipient_categories", r.category) : "", r ? r.country : "",
            r && r.transfer_mechanism ? L.h("span", { class: "third" }, r.transfer_mechanism) : "",
            a.retention, L.tags(a.source_systems, "source_systems"),
          ],
        };
      });
      const wanted = (f) => (!filter.purpose || f.purpose === filter.purpose) && (!filter.legal_basis || f.legal_basis === filter.legal_basis) &&
        (!filter.source_system || f.source_system === filter.source_system) && (!filter.recipient_category || f.recipient_category === filter.recipient_category);
      const undeclared = [...(diff.undeclared_purposes || []), ...(diff.undeclared_recipients || [])].filter(wanted);
      L.append(root, [
        L.h("h2", { class: "page" }, L.t("registerTitle")),
        L.h("p", { class: "muted" }, L.t("registerHelp"), " ", (reg.controller && reg.controller.name) || "", " · ", reg.dpo_contact || "", " · ", reg.version || ""),
        form,
        L.h("section", { class: "card" },
          L.h("div", { class: "buttons" }, exporter("csv"), exporter("xlsx"), L.h("span", { class: "muted", id: "register-count" }, L.t("rowsShown", { n: list.length }))),
          status,
          L.h("div", { class: "scroll" }, L.table(cols.map((k) => ({ label: L.t(k) })), list, { class: "data", id: "register-table" }))),
        L.h("section", { class: "card" }, L.h("h3", {}, L.t("undeclaredTitle")),
          undeclared.length ? L.table(
            [L.t("sourceSystem"), L.t("purpose"), L.t("legalBasis"), L.t("recipient"), L.t("country"), L.t("difference"), L.t("events")].map((label, i) => ({ label, num: i === 6 })),
            undeclared.map((f) => ({
              className: "flagged",
              cells: [L.label("source_systems", f.source_system), L.label("purposes", f.purpose), L.label("legal_bases", f.legal_basis),
                f.recipient_id || "", f.country || "", f.reason,
                L.h("a", { href: L.href("events", { source_system: f.source_system, purpose: f.purpose, legal_basis: f.legal_basis, recipient_id: f.recipient_id, from: L.date(f.first), to: L.addDays(L.date(f.last), 1) }) }, L.num(f.events))],
            })), { class: "data", id: "undeclared-table" }) : L.h("p", { class: "muted" }, L.t("noData"))),
      ]);
    },
  };
})();
