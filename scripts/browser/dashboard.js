// Looks a customer up on the dashboard in headless Chromium, as a responder
// would: types the token and the customer id, submits, and waits for the
// recipients table and the timeline. Prints what the page shows as JSON and
// saves a screenshot. Exits non-zero if the page shows an error or nothing.
//
// usage: node dashboard.js <base-url> <token> <customer-id> <screenshot.png>
"use strict";
const { chromium } = require("playwright-core");

async function main() {
  const [base, token, subject, shot] = process.argv.slice(2);
  if (!shot) throw new Error("usage: node dashboard.js <base-url> <token> <customer-id> <screenshot.png>");
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const problems = [];
    page.on("pageerror", (e) => problems.push("page error: " + e.message));
    page.on("console", (m) => { if (m.type() === "error") problems.push("console: " + m.text()); });
    await page.goto(base + "/");
    await page.fill("#token", token);
    await page.fill("#subject", subject);
    await page.click("button[type=submit]");
    await page.waitForSelector("#events-section:not([hidden]), #error[style*='block']", { timeout: 15000 });
    const error = await page.textContent("#error");
    const recipients = await page.$$eval("#recipients tr", (rows) => rows.map((r) => [...r.cells].map((c) => c.textContent)));
    const events = await page.$$eval("#events tr", (rows) => rows.length);
    const summary = await page.textContent("#recipients-summary");
    await page.waitForFunction(() => document.getElementById("unresolved").textContent !== "", null, { timeout: 15000 });
    const unresolved = await page.textContent("#unresolved");
    await page.screenshot({ path: shot, fullPage: true });
    console.log(JSON.stringify({ error, summary, unresolved, recipients, events, problems }));
    if (error || problems.length || events === 0 || unresolved.startsWith("Unresolved events could not")) process.exit(1);
  } finally {
    await browser.close();
  }
}

main().catch((e) => { console.error(e.message); process.exit(2); });
