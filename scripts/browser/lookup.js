// Opens one customer's lineage on the dashboard in headless Chromium, as
// the DPO would: signs in with the token, opens the subject page of the
// customer, and prints the recipients of the lineage picture and the rows
// of its table as JSON; saves a screenshot. Exits non-zero on a page error,
// a console error or a page that did not come up.
//
// usage: node lookup.js <base-url> <token> <customer-id> <screenshot.png>
"use strict";
const { launch, open, settle, ready, signIn } = require("./lib");

async function main() {
  const [base, token, subject, shot] = process.argv.slice(2);
  if (!shot) throw new Error("usage: node lookup.js <base-url> <token> <customer-id> <screenshot.png>");
  const browser = await launch();
  try {
    const { page, problems } = await open(browser, base);
    const signin = await signIn(page, base, token, "overview");
    await settle(page);
    const began = Date.now();
    await page.goto(base + "/#/subject?id=" + encodeURIComponent(subject));
    const lineage = await ready(page, "subject", began);
    const recipients = await page.$$eval("#lineage-svg g.node.recipient", (gs) => gs.map((g) => g.dataset.node));
    const rows = await page.$$eval("#lineage-table tbody tr", (trs) => trs.map((tr) => [...tr.cells].map((c) => c.textContent)));
    await page.screenshot({ path: shot, fullPage: true });
    console.log(JSON.stringify({ recipients, rows, problems, timings: { signin, lineage } }));
    if (problems.length) process.exit(1);
  } finally {
    await browser.close();
  }
}

main().catch((e) => { console.error(e.stack || e.message); process.exit(2); });
