// The events behind a number (GET /v1/events, the DPO only): the filter a
// chart or table link carries, as removable chips, and the events a page at
// a time.
"use strict";
(function () {
  const FILTERS = ["from", "to", "source_system", "recipient_id", "recipient_category", "legal_basis", "purpose",
    "data_category", "country", "transfer_mechanism", "kind"];
  const LISTS = { source_system: "source_systems", recipient_category: "recipient_categories", legal_basis: "legal_bases",
    purpose: "purposes", data_category: "data_categories" };
  const NAMES = { from: "from", to: "to", source_system: "sourceSystem", recipient_id: "recipient", recipient_category: "recipientCategory",
    legal_basis: "legalBasis", purpose: "purpose", data_category: "dataCategory", country: "country", transfer_mechanism: "safeguard", kind: "kind" };

  L.eventRow = (e) => [
    L.time(e.occurred_at), e.kind,
    e.subject_id ? L.link("subject", { id: e.subject_id }, e.subject_id) : (e.subject_identifier ? e.subject_identifier.kind : ""),
    L.label("source_systems", e.source_system),
    e.actor ? e.actor.type + " / " + e.actor.id : "",
    L.tags(e.data_categories, "data_categories"),
    L.label("purposes", e.purpose),
    L.label("legal_bases", e.legal_basis) + (e.legitimate_interest ? " §" + e.legitimate_interest : ""),
    e.recipient ? e.recipient.name + " (" + e.recipient.country + ")" : "",
  ];
  L.eventColumns = () => ["when", "kind", "subject", "sourceSystem", "actor", "dataCategories", "purpose", "legalBasis", "recipient"]
    .map((k) => ({ label: L.t(k) }));

  L.views.events = {
    dpoOnly: true,
    title: () => L.t("eventsTitle"),
    async render(root, params) {
      const filter = {};
      for (const k of FILTERS) if (params.get(k)) filter[k] = params.get(k);
      const chips = Object.entries(filter).map(([k, v]) => {
        const rest = Object.assign({}, filter);
        delete rest[k];
        return L.h("li", { class: "chip", "data-filter": k },
          L.t(NAMES[k]) + ": " + (LISTS[k] ? L.label(LISTS[k], v) : v), " ",
          L.h("a", { href: L.href("events", rest), "aria-label": "×" + " " + L.t(NAMES[k]) }, "×"));
      });
      const table = L.table(L.eventColumns(), [], { class: "data", id: "events-table" });
      const more = L.h("button", { type: "button", class: "secondary", hidden: true }, L.t("more"));
      const empty = L.h("p", { class: "muted", hidden: true }, L.t("noEvents"));
      L.append(root, [
        L.h("h2", { class: "page" }, L.t("eventsTitle")),
        L.h("section", { class: "card" }, L.h("ul", { class: "chips", id: "event-filters", "aria-label": L.t("eventsFilter") }, chips),
          table, empty, L.h("p", {}, more)),
      ]);
      let cursor = null;
      const load = async () => {
        const page = await L.api("/v1/events" + L.query(Object.assign({ limit: 50, cursor }, filter)));
        const body = table.tBodies[0];
        for (const e of page.events) {
          const tr = L.h("tr", {});
          for (const v of L.eventRow(e)) tr.appendChild(L.h("td", {}, v));
          body.appendChild(tr);
        }
        cursor = page.next_cursor;
        more.hidden = !cursor;
        empty.hidden = body.rows.length > 0;
      };
      more.addEventListener("click", () => {
        L.setState("loading");
        load().then(() => L.setState("ready"), (err) => { L.showError(err); L.setState("error"); });
      });
      await load();
    },
  };

  // The list behind a flag: the API endpoint the overview names, shown as
  // a table of every list its answer holds. Only /v1/ endpoints.
  L.views.list = {
    dpoOnly: true,
    title: () => L.t("listTitle"),
    async render(root, params) {
      const href = params.get("href") || "";
      if (!/^\/v1\/[A-Za-z0-9_\-/]+(\?[A-Za-z0-9_\-=&.:%]*)?$/.test(href)) throw new Error("not an API list: " + href);
      const body = await L.api(href);
      L.append(root, L.h("h2", { class: "page" }, L.t("listTitle"), " ", L.h("code", {}, href)));
      for (const [key, value] of Object.entries(body)) {
        if (!Array.isArray(value)) continue;
        const columns = [...new Set(value.flatMap((x) => (x && typeof x === "object" ? Object.keys(x) : [])))];
        const rows = value.map((x) => columns.map((c) => cell(c, x[c])));
        root.appendChild(L.h("section", { class: "card" }, L.h("h3", {}, key + " (" + value.length + ")"),
          value.length ? L.table(columns.map((c) => ({ label: c })), rows, { class: "data", "data-list": key }) : L.h("p", { class: "muted" }, L.t("noData"))));
      }
    },
  };

  function cell(column, v) {
    if (v == null) return "";
    if (column === "subject_id" && typeof v === "string") return L.link("subject", { id: v }, v);
    if (column === "event_id" && typeof v === "string") return L.h("code", {}, v);
    if (typeof v === "object") return L.h("code", { class: "json" }, JSON.stringify(v));
    return String(v);
  }
})();
