// A recipient's page (the DPO only): what it received, from which systems,
// over time (GET /v1/overview?recipient_id=), how many subjects and which
// categories (GET /v1/recipients/{id}/subjects, audited as one record of the
// party), and the breach export: every subject, as CSV.
"use strict";
(function () {
  L.views.recipient = {
    dpoOnly: true,
    title: () => L.t("recipientTitle"),
    async render(root, params) {
      const id = params.get("id") || "";
      const from = params.get("from") || "", to = params.get("to") || "";
      const [o, x] = await Promise.all([
        L.api("/v1/overview" + L.query({ recipient_id: id, from, to })),
        L.api("/v1/recipients/" + encodeURIComponent(id) + "/subjects" + L.query({ from, to, limit: 1 })),
      ]);
      const r = o.recipients.find((y) => y.recipient_id === id) || { recipient_id: id, name: id };
      const filter = { recipient_id: id };
      const e = x.exposure || {};
      const status = L.h("p", { class: "muted", id: "export-status", "aria-live": "polite" });
      const exportButton = L.h("button", {
        type: "button", id: "breach-export",
        onclick: async () => {
          L.showError(null);
          try {
            const file = await L.download("/v1/recipients/" + encodeURIComponent(id) + "/subjects" + L.query({ format: "csv", from: o.from, to: o.to }),
              "subjects-" + id + ".csv");
            status.textContent = L.t("downloaded", { file });
          } catch (err) {
            L.showError(err);
          }
        },
      }, L.t("breachExport"));
      const facts = [
        [L.t("category"), L.label("recipient_categories", r.category)],
        [L.t("country"), r.country || ""],
        [L.t("safeguard"), r.transfer_mechanism || L.t("eeaOnly")],
        [L.t("first"), L.time(r.first_at)], [L.t("lastSeen"), L.time(r.last_at)],
      ];
      L.append(root, [
        L.h("h2", { class: "page", id: "recipient-name" }, L.t("recipientTitle"), ": ", r.name, " ", L.h("code", {}, id)),
        L.dateRange(o.from, o.to, (w) => L.go("recipient", Object.assign({ id }, w))),
        L.h("section", { class: "card" },
          L.h("dl", { class: "facts" }, facts.map(([k, v]) => [L.h("dt", {}, k), L.h("dd", {}, v)])),
          L.h("ul", { class: "totals", id: "exposure" },
            [["exposureSubjects", e.subjects], ["exposureEvents", e.events], ["exposureUnresolved", e.unresolved_events], ["exposureRestricted", e.restricted_events]]
              .map(([k, v]) => L.h("li", { "data-total": k },
                k === "exposureEvents" ? L.h("a", { class: "count", href: L.eventsHref(o, filter) }, L.num(v)) : L.h("span", { class: "count" }, L.num(v)),
                L.h("span", { class: "what" }, L.t(k))))),
          L.h("div", { class: "buttons" }, exportButton), status),
        L.h("div", { class: "charts" },
          L.h("section", { class: "card" }, L.categoriesChart(o, "recipient-categories-received", L.t("receivedCategories"), filter)),
          L.h("section", { class: "card" }, L.perDayChart(o, "recipient-per-day", L.t("fromSystems"), filter))),
        L.h("section", { class: "card" }, L.h("h3", {}, L.t("exposure")),
          L.table([{ label: L.t("dataCategory") }, { label: L.t("harm") }, { label: L.t("exposureSubjects"), num: true }],
            (e.categories || []).map((c) => ({ className: c.harm ? "harm" : null, cells: [L.label("data_categories", c.code), c.harm || "", L.num(c.subjects)] })),
            { class: "data", id: "exposure-categories" })),
      ]);
    },
  };
})();
