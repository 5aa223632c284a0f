// The DPO's overview (GET /v1/overview): the open problems first, then the
// totals and the charts of the period, each number a link to its events.
"use strict";
(function () {
  const FLAG_ORDER = ["consent_after_withdrawal", "opt_out_breached", "retention_exceeded", "erasure_unconfirmed",
    "undeclared_recipient", "undeclared_country", "undeclared_purpose", "access_request_overdue"];

  // eventsLink is the events list of the overview's window with more filters.
  L.eventsHref = (window, filter) => L.href("events", Object.assign({ from: window.from, to: window.to }, filter));

  // flagHref turns the API endpoint a flag names into the list view.
  L.flagHref = (href) => L.href("list", { href });

  L.flagCards = function (flags) {
    const sorted = [...(flags || [])].sort((a, b) => FLAG_ORDER.indexOf(a.kind) - FLAG_ORDER.indexOf(b.kind));
    return L.h("ul", { class: "flags", id: "flags" }, sorted.map((f) =>
      L.h("li", { class: "flag" + (f.count > 0 ? " open" : ""), "data-flag": f.kind },
        L.h("a", { href: f.href ? L.flagHref(f.href) : null },
          L.h("span", { class: "count" }, L.num(f.count)),
          L.h("span", { class: "what" }, L.t("flag_" + f.kind)),
          f.approximate ? L.h("span", { class: "approx" }, L.t("approximate")) : null))));
  };

  // dayCharts turns events_per_day into a stacked chart by source system,
  // filling the days without events.
  L.perDayChart = function (o, id, title, filter) {
    const systems = [...new Set(o.events_per_day.map((r) => r.source_system))].sort();
    const byDay = new Map();
    for (const r of o.events_per_day) {
      if (!byDay.has(r.day)) byDay.set(r.day, []);
      byDay.get(r.day).push(r);
    }
    const groups = [];
    if (o.events_per_day.length) {
      for (let d = o.from; d < o.to; d = L.addDays(d, 1)) {
        const rows = byDay.get(d) || [];
        groups.push({
          key: d, label: d, short: d.slice(5),
          href: L.eventsHref({ from: d, to: L.addDays(d, 1) }, filter),
          segments: systems.filter((s) => rows.some((r) => r.source_system === s)).map((s) => ({
            series: s, value: rows.find((r) => r.source_system === s).events,
            href: L.eventsHref({ from: d, to: L.addDays(d, 1) }, Object.assign({ source_system: s }, filter)),
          })),
        });
      }
    }
    return L.chart({
      id, title, groups, groupLabel: L.t("day"),
      series: systems.map((s) => ({ key: s, label: L.label("source_systems", s), href: L.eventsHref(o, Object.assign({ source_system: s }, filter)) })),
      eventsHref: L.eventsHref(o, filter),
    });
  };

  L.categoriesChart = function (o, id, title, filter) {
    return L.chart({
      id, title, horizontal: true, groupLabel: L.t("dataCategory"),
      series: [{ key: "events", label: L.t("events") }],
      groups: o.data_categories.map((c) => {
        const href = L.eventsHref(o, Object.assign({ data_category: c.category }, filter));
        return { key: c.category, label: L.label("data_categories", c.category), href, segments: [{ series: "events", value: c.events, href }] };
      }),
      eventsHref: L.eventsHref(o, filter),
    });
  };

  function overview(o) {
    const charts = [
      L.perDayChart(o, "per-day", L.t("chartPerDay")),
      L.chart({
        id: "recipient-categories", title: L.t("chartRecipients"), horizontal: true, groupLabel: L.t("recipientCategory"),
        series: [{ key: "events", label: L.t("events") }],
        extra: [{ label: L.t("recipients"), num: true, value: (g) => L.num(g.recipients) }],
        groups: o.recipients_by_category.map((r) => {
          const href = L.eventsHref(o, { recipient_category: r.category });
          return { key: r.category, label: L.label("recipient_categories", r.category), recipients: r.recipients, href, segments: [{ series: "events", value: r.events, href }] };
        }),
        eventsHref: L.eventsHref(o, {}),
      }),
      basesChart(o),
      L.chart({
        id: "third-country", title: L.t("chartThird"), horizontal: true, groupLabel: L.t("country") + " · " + L.t("safeguard"),
        series: [{ key: "events", label: L.t("events") }],
        extra: [{ label: L.t("recipients"), num: true, value: (g) => L.num(g.recipients) }],
        groups: o.third_country.map((r) => {
          const href = L.eventsHref(o, { kind: DISCLOSURE, country: r.country, transfer_mechanism: r.transfer_mechanism || "none" });
          return { key: r.country + "/" + r.transfer_mechanism, label: r.country + " · " + (r.transfer_mechanism || "—"), recipients: r.recipients, href, segments: [{ series: "events", value: r.events, href }] };
        }),
        eventsHref: L.eventsHref(o, {}),
      }),
      L.categoriesChart(o, "data-categories", L.t("chartCategories")),
    ];
    const totals = ["events", "disclosures", "third_country_disclosures", "subjects_approx"];
    return [
      L.h("section", { class: "card", "aria-labelledby": "flags-title" },
        L.h("h2", { id: "flags-title" }, L.t("openFlags")), L.h("p", { class: "muted" }, L.t("openFlagsHelp")), L.flagCards(o.flags)),
      L.h("section", { class: "card" },
        L.h("h2", {}, L.t("totals"), " ", L.h("span", { class: "muted" }, L.t("window", { from: o.from, to: o.to }))),
        L.h("ul", { class: "totals", id: "totals" }, totals.map((k) => L.h("li", { "data-total": k },
          k === "subjects_approx" ? L.h("span", { class: "count" }, L.num(o.totals[k]))
            : L.h("a", { href: L.eventsHref(o, {}), class: "count" }, L.num(o.totals[k])),
          L.h("span", { class: "what" }, L.t("total_" + k))))),
        L.h("p", { class: "muted", id: "counts-note" }, L.t("countsEvents"),
          o.unsettled_days > 0 ? " " + L.t("unsettled", { days: o.unsettled_days }) : "")),
      L.h("div", { class: "charts" }, charts.map((c) => L.h("section", { class: "card" }, c))),
      L.h("section", { class: "card" }, L.h("h2", {}, L.t("recipientsTitle")), recipientsTable(o)),
    ];
  }

  // The bases chart counts disclosures: its links list them alone
  // (GET /v1/events?kind=disclosure: transfers and processor hand-offs).
  const DISCLOSURE = "disclosure";

  function basesChart(o) {
    const purposes = [...new Set(o.disclosures_by_basis.map((r) => r.purpose))].sort();
    const bases = [...new Set(o.disclosures_by_basis.map((r) => r.legal_basis))].sort();
    return L.chart({
      id: "bases", title: L.t("chartBases"), horizontal: true, groupLabel: L.t("legalBasis"),
      series: purposes.map((p) => ({ key: p, label: L.label("purposes", p), href: L.eventsHref(o, { kind: DISCLOSURE, purpose: p }) })),
      groups: bases.map((b) => ({
        key: b, label: L.label("legal_bases", b), href: L.eventsHref(o, { kind: DISCLOSURE, legal_basis: b }),
        segments: o.disclosures_by_basis.filter((r) => r.legal_basis === b).map((r) => ({
          series: r.purpose, value: r.events, href: L.eventsHref(o, { kind: DISCLOSURE, legal_basis: b, purpose: r.purpose }),
        })),
      })),
      eventsHref: L.eventsHref(o, { kind: DISCLOSURE }),
    });
  }

  function recipientsTable(o) {
    const rows = o.recipients.map((r) => [
      L.link("recipient", { id: r.recipient_id, from: o.from, to: o.to }, r.name),
      L.label("recipient_categories", r.category),
      r.transfer_mechanism ? L.h("span", { class: "third" }, r.country) : r.country,
      r.transfer_mechanism ? L.h("span", { class: "third" }, r.transfer_mechanism) : L.t("eeaOnly"),
      L.time(r.first_at), L.time(r.last_at),
      L.h("a", { href: L.eventsHref(o, { recipient_id: r.recipient_id }) }, L.num(r.events)),
    ]);
    const cols = [L.t("name"), L.t("category"), L.t("country"), L.t("safeguard"), L.t("first"), L.t("lastSeen"), L.t("events")]
      .map((label, i) => ({ label, num: i === 6 }));
    return [L.table(cols, rows, { class: "data", id: "recipients-table" }),
      o.recipients_truncated ? L.h("p", { class: "muted" }, L.t("capped", { n: o.recipients.length })) : null];
  }

  L.views.overview = {
    dpoOnly: true,
    title: () => L.t("overviewTitle"),
    async render(root, params) {
      const from = params.get("from") || "", to = params.get("to") || "";
      // Asked even for a role that may not see it: the page then says what
      // the API answered (403), not what it guessed.
      const o = await L.api("/v1/overview" + L.query({ from, to }));
      L.append(root, [
        L.h("h2", { class: "page" }, L.t("overviewTitle")),
        L.dateRange(o.from, o.to, (w) => L.go("overview", w)),
        overview(o),
      ]);
    },
  };
})();
