// Shared by the browser checks: Chromium from the distribution, a page
// that collects every page error and console error, and waiting for the
// dashboard to finish a page (body[data-state] ready or error).
"use strict";
const { chromium } = require("playwright-core");

async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
}

// open returns a new page in a new context (its own session storage) and
// the list its problems are added to. allowed(text) may excuse a console
// error the step expects (none by default).
async function open(browser, base) {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 }, acceptDownloads: true });
  const page = await context.newPage();
  const problems = [];
  const state = { allowed: () => false };
  page.on("pageerror", (e) => problems.push("page error: " + e.message));
  page.on("console", (m) => {
    if (m.type() === "error" && !state.allowed(m.text())) problems.push("console: " + m.text() + " (" + m.location().url + ")");
  });
  // Nothing may leave the API's origin.
  page.on("request", (r) => {
    const u = new URL(r.url());
    if (!["blob:", "data:"].includes(u.protocol) && u.origin !== new URL(base).origin) {
      problems.push("request to another origin: " + r.url());
    }
  });
  return { context, page, problems, state };
}

// settle marks the page stale before an action that renders, so that
// ready() waits for the render the action starts.
async function settle(page) {
  await page.evaluate(() => { document.body.dataset.state = "stale"; });
}

// ready waits until the page shows view, ready (or throws with the page's
// error), and returns the milliseconds since began.
async function ready(page, view, began, { allowError = false } = {}) {
  await page.waitForFunction((v) => document.body.dataset.view === v &&
    (document.body.dataset.state === "ready" || document.body.dataset.state === "error"), view, { timeout: 30000 });
  const state = await page.evaluate(() => document.body.dataset.state);
  if (state === "error" && !allowError) {
    throw new Error(view + ": " + await page.textContent("#error"));
  }
  return Date.now() - began;
}

async function shot(page, dir, name) {
  await page.screenshot({ path: require("path").join(dir, name + ".png"), fullPage: true });
}

async function signIn(page, base, token, view) {
  const began = Date.now();
  await page.goto(base + "/");
  await ready(page, "signin", began);
  await page.fill("#token", token);
  await settle(page);
  const t = Date.now();
  await page.click("#signin button[type=submit]");
  return ready(page, view, t);
}

module.exports = { launch, open, settle, ready, shot, signIn };
