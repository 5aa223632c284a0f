// Drives the dashboard in headless Chromium as the DPO and then as an
// access responder would, and prints what each page showed as JSON (the Go
// test decides what is right), with the milliseconds each page took to
// answer. Saves a screenshot of every page and every downloaded file in the
// artefacts directory. Exits non-zero on a page error, a console error, a
// request to another origin, or a page that did not come up.
//
// usage: node dashboard.js <scenario.json>
//   {"base", "dpo_token", "responder_token", "phone", "subject", "category",
//    "recipient_name", "register_filter": {"purpose": ...}, "artifacts"}
"use strict";
const fs = require("fs");
const path = require("path");
const { launch, open, settle, ready, shot, signIn } = require("./lib");

const out = { timings: {}, problems: [] };

async function main() {
  const file = process.argv[2];
  if (!file) throw new Error("usage: node dashboard.js <scenario.json>");
  const cfg = JSON.parse(fs.readFileSync(file, "utf8"));
  const dir = cfg.artifacts;
  fs.mkdirSync(dir, { recursive: true });
  const browser = await launch();
  try {
    const dpo = await open(browser, cfg.base);
    try {
      await asDPO(dpo.page, cfg, dir, out);
    } finally {
      out.problems.push(...dpo.problems);
      await dpo.context.close();
    }
    const desk = await open(browser, cfg.base);
    try {
      await asResponder(desk, cfg, dir, out);
    } finally {
      out.problems.push(...desk.problems);
      await desk.context.close();
    }
  } finally {
    await browser.close();
  }
  console.log(JSON.stringify(out));
  if (out.problems.length) process.exit(1);
}

// step runs an action that renders view and records its time.
async function step(page, out, name, view, action, opts) {
  await settle(page);
  const began = Date.now();
  await action();
  out.timings[name] = await ready(page, view, began, opts);
}

const hash = (page) => page.evaluate(() => decodeURIComponent(location.hash));

// lineage reads the picture: its nodes, edges and what is highlighted.
const lineage = (page) => page.evaluate(() => {
  const svg = document.getElementById("lineage-svg");
  if (!svg) return null;
  return {
    nodes: [...svg.querySelectorAll("g.node")].map((n) => n.dataset.node),
    edges: [...svg.querySelectorAll("path.edge")].map((e) => e.dataset.from + ">" + e.dataset.to + ":" + e.dataset.events),
    highlighted_edges: [...svg.querySelectorAll("path.edge.on")].map((e) => e.dataset.from + ">" + e.dataset.to),
    selected: [...svg.querySelectorAll("g.node.selected")].map((n) => n.dataset.node),
    focusable: [...svg.querySelectorAll("g.node")].every((n) => n.getAttribute("tabindex") === "0"),
    table_rows: document.querySelectorAll("#lineage-table tbody tr").length,
    depth: document.getElementById("depth").value,
    category: document.querySelector("#lineage-filters select[name=category]").value,
  };
});

async function asDPO(page, cfg, dir, out) {
  out.timings.signin = await signIn(page, cfg.base, cfg.dpo_token, "overview");
  await shot(page, dir, "01-overview");
  out.overview = await page.evaluate(() => ({
    whoami: document.getElementById("whoami").textContent,
    nav: [...document.querySelectorAll("#nav a")].map((a) => a.getAttribute("href")),
    flags: Object.fromEntries([...document.querySelectorAll("#flags li")].map((li) =>
      [li.dataset.flag, Number(li.querySelector(".count").textContent.replace(/\D/g, ""))])),
    totals: Object.fromEntries([...document.querySelectorAll("#totals li")].map((li) =>
      [li.dataset.total, Number(li.querySelector(".count").textContent.replace(/\D/g, ""))])),
    charts: Object.fromEntries([...document.querySelectorAll("figure.chart")].map((f) => [f.dataset.chart, {
      bars: f.querySelectorAll("svg rect").length - f.querySelectorAll(".legend rect").length,
      links: f.querySelectorAll("svg a.bar").length,
      table_rows: f.querySelectorAll("table tbody tr").length,
      linked: [...f.querySelectorAll("svg a.bar")].map((a) => ({ href: a.getAttribute("href"), value: Number(a.dataset.value) })),
    }])),
    recipients: [...document.querySelectorAll("#recipients-table tbody tr")].map((tr) => tr.cells[0].textContent),
  }));

  // Latvian and back.
  await step(page, out, "language", "overview", () => page.click("#lang"));
  out.overview.title_lv = await page.textContent("h2.page");
  out.overview.flag_lv = await page.textContent("#flags li .what");
  await shot(page, dir, "02-overview-lv");
  await step(page, out, "language_back", "overview", () => page.click("#lang"));
  out.overview.title_en = await page.textContent("h2.page");

  // A bar of the events per day, by keyboard: focus it and press Enter.
  const bar = page.locator("#chart-per-day svg a.bar").first();
  out.chart_link = await bar.getAttribute("href");
  await step(page, out, "events", "events", async () => {
    await bar.focus();
    await page.keyboard.press("Enter");
  });
  out.events = await page.evaluate(() => ({
    hash: decodeURIComponent(location.hash),
    filters: [...document.querySelectorAll("#event-filters li")].map((li) => li.dataset.filter),
    rows: [...document.querySelectorAll("#events-table tbody tr")].map((tr) => [...tr.cells].map((c) => c.textContent)),
  }));
  await shot(page, dir, "03-events");

  // The subject page: search by phone number.
  await step(page, out, "subject_page", "subject", () => page.click("#nav a[href='#/subject']"));
  await page.selectOption("#search-kind", "msisdn");
  await page.fill("#search-value", cfg.phone);
  await step(page, out, "search", "subject", () => page.click("#search-form button[type=submit]"));
  out.holders = await page.$$eval("#holders li", (lis) => lis.map((li) => li.dataset.subject));
  await step(page, out, "lineage", "subject", () => page.click(`#holders li[data-subject='${cfg.subject}'] a`));
  out.lineage = { depth1: await lineage(page), hash1: await hash(page) };
  await page.selectOption("#depth", "2");
  out.lineage.depth2 = await lineage(page);
  // Click a system node; then Enter on a recipient node.
  await page.click("#lineage-svg g.node.system");
  out.lineage.clicked = await lineage(page);
  await page.focus("#lineage-svg g.node.recipient");
  await page.keyboard.press("Enter");
  out.lineage.entered = await lineage(page);
  out.lineage.hash_selected = await hash(page);
  await shot(page, dir, "04-lineage");
  // Filter by a data category: a new lookup, a new URL, a new picture.
  await step(page, out, "lineage_filtered", "subject", () =>
    page.selectOption("#lineage-filters select[name=category]", cfg.category));
  await page.click("#lineage-svg g.node.system");
  out.lineage.filtered = await lineage(page);
  out.lineage.hash_filtered = await hash(page);
  // A reload shows the same.
  await step(page, out, "lineage_reload", "subject", () => page.reload());
  out.lineage.reloaded = await lineage(page);
  out.lineage.hash_reloaded = await hash(page);
  await shot(page, dir, "05-lineage-filtered");
  // The access report in both languages and every format.
  out.reports = [];
  for (const lang of ["lv", "en"]) {
    for (const format of ["pdf", "html", "csv", "json"]) {
      const began = Date.now();
      const [download] = await Promise.all([
        page.waitForEvent("download"),
        page.click(`#report-buttons button[data-lang=${lang}][data-format=${format}]`),
      ]);
      const saved = path.join(dir, `report-${lang}.${format}`);
      await download.saveAs(saved);
      out.timings[`report_${lang}_${format}`] = Date.now() - began;
      out.reports.push({ lang, format, file: saved, name: download.suggestedFilename() });
    }
  }

  // The recipient page from the overview's recipients table.
  await step(page, out, "overview_again", "overview", () => page.click("#nav a[href='#/overview']"));
  await step(page, out, "recipient", "recipient", () =>
    page.click(`#recipients-table a:text-is("${cfg.recipient_name}")`));
  out.recipient = await page.evaluate(() => ({
    name: document.getElementById("recipient-name").textContent,
    exposure: Object.fromEntries([...document.querySelectorAll("#exposure li")].map((li) =>
      [li.dataset.total, Number(li.querySelector(".count").textContent.replace(/\D/g, ""))])),
    categories: [...document.querySelectorAll("#exposure-categories tbody tr")].map((tr) => tr.cells[0].textContent),
    charts: [...document.querySelectorAll("figure.chart")].map((f) => f.dataset.chart + ":" + f.querySelectorAll("svg a.bar").length),
  }));
  {
    const began = Date.now();
    const [download] = await Promise.all([page.waitForEvent("download"), page.click("#breach-export")]);
    const saved = path.join(dir, "breach-export.csv");
    await download.saveAs(saved);
    out.timings.breach_export = Date.now() - began;
    out.recipient.export = saved;
  }
  await shot(page, dir, "06-recipient");

  // The register, filtered, and its CSV export.
  await step(page, out, "register", "register", () => page.click("#nav a[href='#/register']"));
  out.register = { all_rows: await page.$$eval("#register-table tbody tr", (r) => r.length) };
  for (const [name, value] of Object.entries(cfg.register_filter)) {
    await step(page, out, "register_filtered", "register", () =>
      page.selectOption(`#register-filters select[name=${name}]`, value));
  }
  out.register.hash = await hash(page);
  out.register.rows = await page.$$eval("#register-table tbody tr", (trs) => trs.map((tr) => [
    tr.querySelector("[data-activity]").dataset.activity,
    (tr.querySelector("[data-recipient]") || { dataset: { recipient: "" } }).dataset.recipient,
  ]));
  out.register.flagged = await page.$$eval("#register-table tbody tr.flagged", (r) => r.length);
  {
    const began = Date.now();
    const [download] = await Promise.all([page.waitForEvent("download"), page.click("button[data-export=csv]")]);
    const saved = path.join(dir, "register.csv");
    await download.saveAs(saved);
    out.timings.register_export = Date.now() - began;
    out.register.export = saved;
  }
  await shot(page, dir, "07-register");

  await step(page, out, "signout", "signin", () => page.click("#signout"));
  out.signed_out_token = await page.evaluate(() => sessionStorage.getItem("lineage-token"));
}

async function asResponder({ page, state }, cfg, dir, out) {
  out.timings.responder_signin = await signIn(page, cfg.base, cfg.responder_token, "subject");
  out.responder = { nav: await page.$$eval("#nav a", (as) => as.map((a) => a.getAttribute("href"))) };
  await shot(page, dir, "08-responder-subject");
  // A shared link to the overview: the API refuses, the page says why.
  // Chromium reports the refused request on the console; that one only.
  const statuses = [];
  page.on("response", (r) => { if (new URL(r.url()).pathname === "/v1/overview") statuses.push(r.status()); });
  state.allowed = (text) => /status of 403/.test(text);
  await step(page, out, "responder_overview", "overview", () => page.goto(cfg.base + "/#/overview"), { allowError: true });
  state.allowed = () => false;
  out.responder.overview_status = statuses;
  out.responder.state = await page.evaluate(() => document.body.dataset.state);
  out.responder.refused = await page.textContent("#refused").catch(() => "");
  out.responder.error = await page.textContent("#error");
  await shot(page, dir, "09-responder-overview-refused");
}

main().catch((e) => {
  // What the pages showed up to the failure, and why it failed.
  out.failure = e.stack || e.message;
  console.log(JSON.stringify(out));
  process.exit(2);
});
