// Drives the Hourglass dashboard in headless Chromium (Debian's /usr/bin/chromium) for
// DashboardBrowserTest. One browser for the whole run. Reads one JSON command per line on stdin,
// answers one JSON line per command on stdout:
//   {"op":"goto","url":U,"shot":"name.png","phone":false}   load a page
//   {"op":"click","selector":S,"shot":"name.png"}            click and wait for the next page
// End of input closes the browser and exits. Every answer describes the page now shown: status, title, data-test texts, table rows, and
// whether any markup from the data ran (dialogs) or was inserted as elements (injected).
"use strict";
const { chromium } = require("playwright-core");
const readline = require("readline");
const path = require("path");

const [baseUrl, user, password, shotDir] = process.argv.slice(2);

async function describe(page, response) {
  const info = await page.evaluate(() => {
    const tests = {};
    document.querySelectorAll("[data-test]").forEach((e) => {
      (tests[e.dataset.test] = tests[e.dataset.test] || []).push(e.textContent.trim());
    });
    const tables = {};
    document.querySelectorAll("table[id], table[data-grid]").forEach((t) => {
      tables[t.id || t.dataset.grid] = Array.from(t.tBodies[0] ? t.tBodies[0].rows : []).map((r) =>
        Array.from(r.cells).map((c) => c.dataset.v !== undefined ? c.dataset.v : c.textContent.trim()));
    });
    const injected = document.querySelectorAll('img[src="x"], script:not([src]), [onerror], [onload]').length;
    const widest = Math.max(document.documentElement.scrollWidth, document.body.scrollWidth);
    return { title: document.title, tests, tables, injected, overflowX: widest > window.innerWidth + 1,
      h1: (document.querySelector("h1") || {}).textContent };
  });
  info.status = response ? response.status() : null;
  info.url = page.url();
  return info;
}

(async () => {
  const browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    headless: true,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
      "--disable-component-update", "--no-first-run", "--disable-quic", "--disable-sync"],
  });
  const laptop = await browser.newContext({ viewport: { width: 1280, height: 860 },
    httpCredentials: { username: user, password: password } });
  const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  const pages = { laptop: await laptop.newPage(), phone: await phone.newPage() };
  let dialogs = 0;
  const consoleErrors = [];
  for (const p of Object.values(pages)) {
    p.on("dialog", async (d) => { dialogs++; await d.dismiss(); });
    p.on("console", (m) => { if (m.type() === "error") consoleErrors.push(m.text()); });
    p.on("pageerror", (e) => consoleErrors.push(String(e)));
  }
  const lines = readline.createInterface({ input: process.stdin });
  for await (const line of lines) {
    if (!line.trim()) continue;
    const cmd = JSON.parse(line);
    let answer;
    try {
      const page = cmd.phone ? pages.phone : pages.laptop;
      let response = null;
      if (cmd.op === "goto") {
        response = await page.goto(baseUrl + cmd.url, { waitUntil: "load" });
      } else if (cmd.op === "click") {
        [response] = await Promise.all([page.waitForNavigation({ waitUntil: "load" }), page.click(cmd.selector)]);
      } else {
        throw new Error("unknown op " + cmd.op);
      }
      if (cmd.shot) {
        await page.screenshot({ path: path.join(shotDir, cmd.shot), fullPage: true });
      }
      answer = await describe(page, response);
      answer.dialogs = dialogs;
      answer.consoleErrors = consoleErrors.slice();
    } catch (e) {
      answer = { error: String(e && e.stack || e) };
    }
    process.stdout.write(JSON.stringify(answer) + "\n");
  }
  lines.close();
  await browser.close();
  process.exit(0);
})().catch((e) => {
  process.stdout.write(JSON.stringify({ error: String(e && e.stack || e) }) + "\n");
  process.exit(1);
});
