// Bar and stacked-bar charts drawn in SVG, each with its table twin and a
// link to the events behind it: every bar and every cell of the table is a
// link to the events list with the matching filter.
"use strict";
(function () {
  // Colours that stay apart for the common kinds of colour blindness
  // (Okabe–Ito, then darker shades).
  const palette = ["#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#f0e442", "#000000",
    "#004c7a", "#8a5f00", "#00664b", "#7f4a69"];
  L.colour = (i) => palette[i % palette.length];

  // chart draws groups of stacked segments.
  //   id:         a name for tests and anchors
  //   title:      caption
  //   series:     [{key, label}] the stacks' parts, in legend order
  //   groups:     [{key, label, href, segments: [{series, value, href}]}]
  //   horizontal: bars left to right with the group's label before it
  //   eventsHref: link to every event behind the chart
  //   extra:      [{label, num, value(group)}] more table columns
  L.chart = function (o) {
    const fig = L.h("figure", { class: "chart", "data-chart": o.id, id: "chart-" + o.id });
    const caption = L.h("figcaption", {}, L.h("h3", {}, o.title));
    if (o.eventsHref) caption.appendChild(L.h("a", { href: o.eventsHref, class: "events-link" }, L.t("allEvents")));
    fig.appendChild(caption);
    if (!o.groups.length) {
      fig.appendChild(L.h("p", { class: "muted" }, L.t("noData")));
      return fig;
    }
    const index = new Map(o.series.map((s, i) => [s.key, i]));
    const totals = o.groups.map((g) => g.segments.reduce((n, s) => n + s.value, 0));
    const max = Math.max(1, ...totals);
    fig.appendChild(o.horizontal ? horizontal(o, index, totals, max) : vertical(o, index, totals, max));
    if (o.series.length > 1) {
      fig.appendChild(L.h("ul", { class: "legend", "aria-label": o.title },
        o.series.map((s, i) => L.h("li", {},
          L.s("svg", { width: 12, height: 12, "aria-hidden": "true" }, L.s("rect", { width: 12, height: 12, fill: L.colour(i) })),
          s.href ? L.h("a", { href: s.href }, s.label) : s.label))));
    }
    fig.appendChild(twin(o, totals));
    return fig;
  };

  function segmentTitle(o, g, s) {
    const series = o.series.find((x) => x.key === s.series);
    return g.label + (series && o.series.length > 1 ? " · " + series.label : "") + ": " + L.num(s.value);
  }

  function bar(o, index, g, s, x, y, w, h) {
    const rect = L.s("rect", { x, y, width: Math.max(w, 0.5), height: Math.max(h, 0.5), fill: L.colour(index.get(s.series) || 0) },
      L.s("title", {}, segmentTitle(o, g, s)));
    if (!s.href) return rect;
    return L.s("a", { href: s.href, class: "bar", "aria-label": segmentTitle(o, g, s), "data-value": s.value }, rect);
  }

  function vertical(o, index, totals, max) {
    const left = 56, bottom = 46, top = 10, height = 200;
    const step = Math.max(14, Math.min(48, 900 / o.groups.length));
    const barW = step * 0.72;
    const width = left + step * o.groups.length + 10;
    const svg = L.s("svg", { viewBox: `0 0 ${width} ${top + height + bottom}`, class: "bars", role: "img", "aria-label": o.title });
    for (const f of [0, 0.5, 1]) {
      const y = top + height - f * height;
      svg.appendChild(L.s("line", { x1: left - 4, x2: width, y1: y, y2: y, class: "grid" }));
      svg.appendChild(L.s("text", { x: left - 8, y: y + 4, "text-anchor": "end", class: "axis" }, L.num(Math.round(max * f))));
    }
    const every = Math.ceil(o.groups.length / 12);
    o.groups.forEach((g, i) => {
      const x = left + i * step + (step - barW) / 2;
      let y = top + height;
      for (const s of g.segments) {
        const h = (s.value / max) * height;
        y -= h;
        svg.appendChild(bar(o, index, g, s, x, y, barW, h));
      }
      if (i % every === 0) {
        svg.appendChild(L.s("text", { x: x + barW / 2, y: top + height + 14, "text-anchor": "middle", class: "axis" }, g.short || g.label));
      }
    });
    return svg;
  }

  function horizontal(o, index, totals, max) {
    const labelW = 250, rowH = 26, barMax = 520, top = 4;
    const width = labelW + barMax + 80;
    const svg = L.s("svg", { viewBox: `0 0 ${width} ${top + rowH * o.groups.length + 4}`, class: "bars", role: "img", "aria-label": o.title });
    o.groups.forEach((g, i) => {
      const y = top + i * rowH;
      const label = g.label.length > 34 ? g.label.slice(0, 33) + "…" : g.label;
      svg.appendChild(L.s("text", { x: labelW - 8, y: y + rowH / 2 + 4, "text-anchor": "end", class: "label" }, label, L.s("title", {}, g.label)));
      let x = labelW;
      for (const s of g.segments) {
        const w = (s.value / max) * barMax;
        svg.appendChild(bar(o, index, g, s, x, y + 4, w, rowH - 8));
        x += w;
      }
      svg.appendChild(L.s("text", { x: x + 6, y: y + rowH / 2 + 4, class: "value" }, L.num(totals[i])));
    });
    return svg;
  }

  // twin is the chart's table: one row per group, one column per series
  // (if more than one), the extra columns and the total; numbers link to
  // their events.
  function twin(o, totals) {
    const multi = o.series.length > 1;
    const columns = [{ label: o.groupLabel || "" }];
    if (multi) for (const s of o.series) columns.push({ label: s.label, num: true });
    for (const x of o.extra || []) columns.push({ label: x.label, num: x.num });
    columns.push({ label: L.t("events"), num: true });
    const rows = o.groups.map((g, i) => {
      const cells = [g.href ? L.h("a", { href: g.href }, g.label) : g.label];
      if (multi) {
        for (const s of o.series) {
          const seg = g.segments.find((x) => x.series === s.key);
          cells.push(seg ? (seg.href ? L.h("a", { href: seg.href }, L.num(seg.value)) : L.num(seg.value)) : "");
        }
      }
      for (const x of o.extra || []) cells.push(x.value(g));
      cells.push(g.href ? L.h("a", { href: g.href }, L.num(totals[i])) : L.num(totals[i]));
      return cells;
    });
    return L.h("details", { class: "twin" }, L.h("summary", {}, L.t("asTable")),
      L.table(columns, rows, { class: "data", "data-twin": o.id }));
  }
})();
