#!/usr/bin/env node
// check.js runs SQL files on the ClickHouse embedded in chdb, a current
// release, to show that the project's DDL and queries, written for the 18.16
// server of the dev boxes, also run on a current server. Run it through
// scripts/chdb-check, which installs chdb first.
//
// Usage: node check.js [-v] FILE.sql...
//
// A statement ends with a ";" at the end of a line (trailing blanks allowed);
// lines that are "--" comments never end one. All files run in order in one
// session, so a later file can query tables an earlier one created. The
// session's data directory is a temporary one, removed at the end; set
// CHDB_CHECK_DATA_DIR to keep it somewhere instead. The first failing
// statement stops the run with exit status 1.
"use strict";

const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");

// splitStatements returns the statements of sql with the line each starts
// on. Comment-only chunks are dropped: the engine rejects an empty query.
function splitStatements(sql) {
  const statements = [];
  let current = [];
  let startLine = -1;
  const lines = sql.split(/\r?\n/);
  // startLine is the first line of the statement that is neither blank nor
  // a comment, so that errors point at the code.
  const flush = () => {
    const text = current.join("\n").trim();
    const code = current.filter((l) => !/^\s*--/.test(l)).join("\n").trim();
    if (code !== "" && code !== ";") {
      statements.push({ line: startLine + 1, text: text.replace(/;\s*$/, "") });
    }
    current = [];
    startLine = -1;
  };
  lines.forEach((line, i) => {
    if (startLine < 0 && line.trim() !== "" && !/^\s*--/.test(line)) startLine = i;
    current.push(line);
    if (!/^\s*--/.test(line) && /;\s*$/.test(line)) flush();
  });
  flush();
  return statements;
}

function firstLine(text) {
  const code = text.split("\n").find((l) => l.trim() !== "" && !/^\s*--/.test(l)) || "";
  const one = code.trim().replace(/\s+/g, " ");
  return one.length > 70 ? one.slice(0, 67) + "..." : one;
}

function indent(text, max) {
  const lines = text.replace(/\n$/, "").split("\n");
  const shown = lines.slice(0, max).map((l) => "    " + l);
  if (lines.length > max) shown.push(`    ... ${lines.length - max} more lines`);
  return shown.join("\n");
}

function main(argv) {
  let verbose = false;
  const files = [];
  for (const a of argv) {
    if (a === "-v" || a === "--verbose") verbose = true;
    else if (a === "-h" || a === "--help") {
      console.error("usage: scripts/chdb-check [-v] FILE.sql...");
      return 0;
    } else files.push(a);
  }
  if (files.length === 0) {
    console.error("usage: scripts/chdb-check [-v] FILE.sql...");
    return 2;
  }
  const inputs = [];
  for (const f of files) {
    try {
      inputs.push({ file: f, statements: splitStatements(fs.readFileSync(f, "utf8")) });
    } catch (e) {
      console.error(`chdb-check: read ${f}: ${e.message}`);
      return 2;
    }
  }

  const { Session } = require("chdb");
  const chdbVersion = require("chdb/package.json").version;
  const keep = process.env.CHDB_CHECK_DATA_DIR;
  const dataDir = keep || fs.mkdtempSync(path.join(os.tmpdir(), "lineage-chdb-"));
  const session = new Session(dataDir);
  try {
    const version = session.query("SELECT version()", "TSVRaw").trim();
    console.log(`chdb ${chdbVersion}: ClickHouse ${version}`);
    let count = 0;
    for (const { file, statements } of inputs) {
      for (const st of statements) {
        let out;
        try {
          out = session.query(st.text, "TSV");
        } catch (e) {
          console.error(`FAIL ${file}:${st.line}`);
          console.error(indent(st.text, 200));
          console.error(`error: ${e.message}`);
          return 1;
        }
        count++;
        console.log(`ok   ${file}:${st.line}  ${firstLine(st.text)}`);
        if (verbose && out) console.log(indent(out, 20));
      }
    }
    const plural = (n, word) => `${n} ${word}${n === 1 ? "" : "s"}`;
    console.log(`${plural(count, "statement")} from ${plural(inputs.length, "file")} ran on ClickHouse ${version}`);
    return 0;
  } finally {
    session.close();
    if (!keep) fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  process.exitCode = main(process.argv.slice(2));
}

module.exports = { splitStatements };
