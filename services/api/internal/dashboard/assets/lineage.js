// The lineage picture of one subject, in SVG: data sources → the operator's
// systems → recipients, edges as wide as their events. Depth 1 shows
// systems → recipients; depth 2 adds the sources. A node is a focusable
// button: clicking it (or Enter, Space) highlights every path through it.
"use strict";
(function () {
  const COLUMNS = { source: 0, system: 1, recipient: 2 };
  const NODE_W = 210, NODE_H = 38, GAP = 14, COL_GAP = 170, TOP = 30;

  const clip = (s, n) => (s.length > n ? s.slice(0, n - 1) + "…" : s);

  L.nodeLabel = function (n) {
    if (n.column === "source") return n.code === "not_stated" ? L.t("nodeSourceNotStated") : L.label("data_sources", n.code);
    if (n.column === "system") return L.label("source_systems", n.code);
    return (n.name || n.code) + (n.country ? " (" + n.country + ")" : "");
  };

  // visible returns the nodes and edges shown at a depth.
  L.lineageVisible = function (g, depth) {
    const edges = g.edges.filter((e) => depth >= 2 || !e.from.startsWith("source:"));
    const nodes = g.nodes.filter((n) => depth >= 2 || n.column !== "source");
    return { nodes, edges };
  };

  // paths returns the ids of the nodes and edges on a path through id.
  L.lineagePaths = function (edges, id) {
    const nodes = new Set([id]), on = new Set();
    const walk = (start, forward) => {
      const queue = [start], seen = new Set([start]);
      while (queue.length) {
        const n = queue.shift();
        edges.forEach((e, i) => {
          const [a, b] = forward ? [e.from, e.to] : [e.to, e.from];
          if (a !== n) return;
          on.add(i);
          nodes.add(b);
          if (!seen.has(b)) { seen.add(b); queue.push(b); }
        });
      }
    };
    walk(id, true);
    walk(id, false);
    return { nodes, edges: on };
  };

  L.lineageSVG = function (g, depth, selected, onSelect) {
    const { nodes, edges } = L.lineageVisible(g, depth);
    const cols = depth >= 2 ? ["source", "system", "recipient"] : ["system", "recipient"];
    // A node's events are the larger of what flows in and what flows out
    // (a system's accesses only flow in from their sources), over every
    // edge, shown or not.
    const into = new Map(), out = new Map();
    for (const e of g.edges) {
      out.set(e.from, (out.get(e.from) || 0) + e.events);
      into.set(e.to, (into.get(e.to) || 0) + e.events);
    }
    const weight = new Map(g.nodes.map((n) => [n.id, Math.max(into.get(n.id) || 0, out.get(n.id) || 0)]));
    const pos = new Map();
    let rows = 0;
    cols.forEach((c, ci) => {
      const list = nodes.filter((n) => n.column === c).sort((a, b) => (weight.get(b.id) || 0) - (weight.get(a.id) || 0) || a.id.localeCompare(b.id));
      list.forEach((n, i) => pos.set(n.id, { x: 10 + ci * (NODE_W + COL_GAP), y: TOP + i * (NODE_H + GAP), n }));
      rows = Math.max(rows, list.length);
    });
    const width = 20 + cols.length * NODE_W + (cols.length - 1) * COL_GAP;
    const height = TOP + Math.max(1, rows) * (NODE_H + GAP) + 10;
    const max = Math.max(1, ...edges.map((e) => e.events));
    const hl = selected && pos.has(selected) ? L.lineagePaths(edges, selected) : null;
    const svg = L.s("svg", { viewBox: `0 0 ${width} ${height}`, class: "lineage" + (hl ? " has-selection" : ""), id: "lineage-svg",
      role: "group", "aria-label": cols.map((c) => L.t({ source: "colSource", system: "colSystem", recipient: "colRecipient" }[c])).join(" → ") });
    cols.forEach((c, ci) => svg.appendChild(L.s("text", { x: 10 + ci * (NODE_W + COL_GAP) + NODE_W / 2, y: 16, "text-anchor": "middle", class: "column" },
      L.t({ source: "colSource", system: "colSystem", recipient: "colRecipient" }[c]))));
    edges.forEach((e, i) => {
      const a = pos.get(e.from), b = pos.get(e.to);
      if (!a || !b) return;
      const x1 = a.x + NODE_W, y1 = a.y + NODE_H / 2, x2 = b.x, y2 = b.y + NODE_H / 2, mx = (x1 + x2) / 2;
      const on = hl && hl.edges.has(i);
      svg.appendChild(L.s("path", {
        d: `M${x1},${y1} C${mx},${y1} ${mx},${y2} ${x2},${y2}`,
        class: "edge" + (on ? " on" : ""), "stroke-width": (2 + 14 * Math.sqrt(e.events / max)).toFixed(1),
        "data-from": e.from, "data-to": e.to, "data-events": e.events,
      }, L.s("title", {}, L.nodeLabel(a.n) + " → " + L.nodeLabel(b.n) + ": " + L.num(e.events) + " " + L.t("events").toLowerCase())));
    });
    for (const { x, y, n } of pos.values()) {
      const label = L.nodeLabel(n);
      const short = clip(label, 28);
      const isOn = hl && hl.nodes.has(n.id);
      const node = L.s("g", {
        class: "node " + n.column + (isOn ? " on" : "") + (selected === n.id ? " selected" : "") + (n.transfer_mechanism ? " third" : "") + (n.restricted ? " restricted" : ""),
        tabindex: 0, role: "button", "aria-pressed": selected === n.id ? "true" : "false", "data-node": n.id,
        "aria-label": label + ": " + L.num(weight.get(n.id) || 0) + " " + L.t("events").toLowerCase() + (n.restricted ? ", " + L.t("restricted") : ""),
        transform: `translate(${x},${y})`,
      },
      L.s("rect", { width: NODE_W, height: NODE_H, rx: 6 }),
      L.s("text", { x: 10, y: 16, class: "name" }, short),
      L.s("text", { x: 10, y: 31, class: "sub" }, clip(L.num(weight.get(n.id) || 0) + " · " + (n.column === "recipient" ? L.label("recipient_categories", n.category) + (n.transfer_mechanism ? " · " + n.transfer_mechanism : "") : n.code) + (n.restricted ? " · " + L.t("restricted") : ""), 34)),
      L.s("title", {}, label));
      const pick = () => onSelect(selected === n.id ? "" : n.id);
      node.addEventListener("click", pick);
      node.addEventListener("keydown", (ev) => {
        if (ev.key === "Enter" || ev.key === " ") { ev.preventDefault(); pick(); }
      });
      svg.appendChild(node);
    }
    return svg;
  };
})();
