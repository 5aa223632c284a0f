// The subject page (the DPO and access responders): find a customer by
// customer id or by what the person presents (the value goes in the body of
// POST /v1/subjects/search, never into the URL), then the subject's lineage
// picture and table (GET /v1/subjects/{id}/lineage) and the access report.
// The page's state (subject, access request, filters, depth, selected node)
// is the URL's, so a reload or a shared link shows the same.
"use strict";
(function () {
  const KINDS = ["customer_id", "msisdn", "personal_code", "contract"];
  const FORMATS = ["pdf", "html", "csv", "json"];

  function state(params) {
    const s = {};
    for (const k of ["id", "ar", "from", "to", "category", "purpose", "node", "depth"]) if (params.get(k)) s[k] = params.get(k);
    return s;
  }

  function searchCard(s) {
    const kind = L.h("select", { name: "kind", id: "search-kind" }, KINDS.map((k) => L.h("option", { value: k }, L.t("kind_" + k))));
    const value = L.h("input", { name: "value", id: "search-value", required: true, autocomplete: "off" });
    const ar = L.h("input", { name: "access_request", id: "search-ar", value: s.ar || "", pattern: "AR-[A-Za-z0-9-]{8,32}", "aria-describedby": "ar-help" });
    const holders = L.h("div", { id: "holders", "aria-live": "polite" });
    const form = L.h("form", { class: "controls", id: "search-form", role: "search" },
      L.h("label", {}, L.t("searchKind"), kind), L.h("label", {}, L.t("value"), value),
      L.h("label", {}, L.t("accessRequest"), ar), L.h("button", { type: "submit" }, L.t("search")));
    form.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      L.showError(null);
      L.setState("loading");
      holders.textContent = "";
      try {
        const body = { kind: kind.value, value: value.value.trim() };
        if (ar.value.trim()) body.access_request = ar.value.trim();
        const r = await L.api("/v1/subjects/search", { method: "POST", body });
        const request = ar.value.trim();
        holders.appendChild(r.holders.length === 0 ? L.h("p", { class: "muted" }, L.t("noHolders")) :
          L.h("ul", { class: "holders" }, r.holders.map((x) => L.h("li", { "data-subject": x.subject_id },
            L.h("a", { href: L.href("subject", { id: x.subject_id, ar: request || null }) }, x.subject_id), " ",
            L.h("span", { class: "muted" }, x.from ? L.t("holderPeriod", { from: L.date(x.from), to: x.to ? L.date(x.to) : L.t("holderNow") }) : L.t("holderAlways"))))));
        L.setState("ready");
      } catch (err) {
        L.showError(err);
        L.setState("error");
      }
    });
    return L.h("section", { class: "card" }, L.h("h2", {}, L.t("searchTitle")), form,
      L.h("p", { class: "muted", id: "ar-help" }, L.t("accessRequestHelp")), holders);
  }

  // replace keeps a change that needs no new lookup (depth, selected node)
  // in the URL without reading the subject again.
  function replace(s) {
    history.replaceState(null, "", L.href("subject", s));
  }

  function lineageCard(s, g) {
    const picture = L.h("div", { class: "picture", id: "lineage" });
    const note = L.h("p", { class: "muted", id: "selection", "aria-live": "polite" });
    const depth = L.h("select", { name: "depth", id: "depth" },
      L.h("option", { value: "1", selected: s.depth !== "2" }, L.t("depth1")),
      L.h("option", { value: "2", selected: s.depth === "2" }, L.t("depth2")));
    const draw = () => {
      picture.textContent = "";
      const d = s.depth === "2" ? 2 : 1;
      if (!g.edges.length && !g.nodes.length) {
        picture.appendChild(L.h("p", { class: "muted" }, L.t("noLineage")));
        return;
      }
      picture.appendChild(L.lineageSVG(g, d, s.node || "", (id) => {
        if (id) s.node = id; else delete s.node;
        replace(s);
        draw();
        const el = picture.querySelector(`[data-node="${CSS.escape(id || "")}"]`);
        if (el) el.focus();
      }));
      const sel = g.nodes.find((n) => n.id === s.node);
      note.textContent = "";
      if (sel) {
        L.append(note, [L.t("selected", { name: L.nodeLabel(sel) }), " ",
          L.h("button", { type: "button", class: "secondary small", onclick: () => { delete s.node; replace(s); draw(); } }, L.t("clearSelection"))]);
      }
      table.replaceWith((table = edgesTable(g, d)));
    };
    depth.addEventListener("change", () => {
      s.depth = depth.value;
      replace(s);
      draw();
    });
    const filters = L.h("form", { class: "controls", id: "lineage-filters" },
      L.h("label", {}, L.t("depth"), depth),
      L.selectTerms("category", L.t("dataCategory"), "data_categories", s.category, L.t("allCategories")),
      L.selectTerms("purpose", L.t("purpose"), "purposes", s.purpose, L.t("allPurposes")),
      L.h("label", {}, L.t("from"), L.h("input", { type: "date", name: "from", value: s.from || "" })),
      L.h("label", {}, L.t("to"), L.h("input", { type: "date", name: "to", value: s.to || "" })),
      L.h("button", { type: "submit" }, L.t("apply")));
    const refilter = (ev) => {
      if (ev) ev.preventDefault();
      const f = new FormData(filters);
      const next = Object.assign({}, s, { category: f.get("category"), purpose: f.get("purpose"), from: f.get("from"), to: f.get("to") });
      delete next.node;
      L.go("subject", next);
    };
    filters.addEventListener("submit", refilter);
    for (const name of ["category", "purpose"]) filters.elements[name].addEventListener("change", refilter);
    let table = L.h("table");
    const withheld = (g.withheld || []).map((w) => (w.identifier ? w.identifier.kind + " " + L.date(w.from) + (w.to ? "–" + L.date(w.to) : "–") : JSON.stringify(w)));
    const card = L.h("section", { class: "card" },
      L.h("h2", {}, L.t("lineageTitle", { id: g.subject_id })),
      filters,
      withheld.length ? L.h("p", { class: "note", id: "withheld" }, L.t("withheld", { what: withheld.join("; ") })) : null,
      picture, note,
      L.h("details", { class: "twin", open: true }, L.h("summary", {}, L.t("edgesTable")), L.h("div", {}, table)));
    draw();
    return card;
  }

  function edgesTable(g, depth) {
    const { edges } = L.lineageVisible(g, depth);
    const name = new Map(g.nodes.map((n) => [n.id, L.nodeLabel(n)]));
    const cols = ["edgeFrom", "edgeTo", "events", "dataCategories", "purpose", "legalBasis", "first", "lastSeen"]
      .map((k) => ({ label: L.t(k), num: k === "events" }));
    return L.table(cols, edges.map((e) => ({
      cells: [name.get(e.from) || e.from, name.get(e.to) || e.to, L.num(e.events),
        L.tags(e.data_categories, "data_categories"), L.tags(e.purposes, "purposes"), L.tags(e.legal_bases, "legal_bases"),
        L.time(e.first_at), L.time(e.last_at)],
    })), { class: "data", id: "lineage-table" });
  }

  function reportCard(s) {
    const status = L.h("p", { class: "muted", id: "report-status", "aria-live": "polite" });
    const buttons = [];
    for (const lang of ["lv", "en"]) {
      for (const format of FORMATS) {
        buttons.push(L.h("button", {
          type: "button", class: "secondary", "data-format": format, "data-lang": lang,
          onclick: async () => {
            L.showError(null);
            try {
              const q = L.query({ format, lang, from: s.from, to: s.to, access_request: s.ar });
              const file = await L.download("/v1/subjects/" + encodeURIComponent(s.id) + "/report" + q, "access-report-" + s.id + "-" + lang + "." + format);
              status.textContent = L.t("downloaded", { file });
            } catch (err) {
              L.showError(err);
            }
          },
        }, L.t("download", { format: format.toUpperCase(), lang: L.t("langName_" + lang) })));
      }
    }
    return L.h("section", { class: "card" }, L.h("h2", {}, L.t("report")), L.h("p", { class: "muted" }, L.t("reportHelp")),
      L.h("div", { class: "buttons", id: "report-buttons" }, buttons), status);
  }

  L.views.subject = {
    title: () => L.t("subjectTitle"),
    async render(root, params) {
      const s = state(params);
      L.append(root, [L.h("h2", { class: "page" }, L.t("subjectTitle")), searchCard(s)]);
      if (!s.id) return;
      const g = await L.api("/v1/subjects/" + encodeURIComponent(s.id) + "/lineage" +
        L.query({ from: s.from, to: s.to, category: s.category, purpose: s.purpose, access_request: s.ar }));
      L.append(root, [lineageCard(s, g), reportCard(s)]);
    },
  };
})();
