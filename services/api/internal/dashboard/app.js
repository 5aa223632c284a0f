"use strict";
const $ = (id) => document.getElementById(id);
const tokenInput = $("token");
tokenInput.value = sessionStorage.getItem("lineage-token") || "";
let next = null;

function cell(row, value, cls) {
  const td = row.insertCell();
  if (cls) td.className = cls;
  if (Array.isArray(value)) {
    for (const v of value) { const s = document.createElement("span"); s.className = "tag"; s.textContent = v; td.appendChild(s); }
  } else {
    td.textContent = value == null ? "" : String(value);
  }
  return td;
}

function params(extra) {
  const q = new URLSearchParams();
  if ($("from").value) q.set("from", $("from").value);
  if ($("to").value) q.set("to", $("to").value);
  for (const [k, v] of Object.entries(extra || {})) q.set(k, v);
  const s = q.toString();
  return s ? "?" + s : "";
}

async function call(path) {
  const res = await fetch(path, { headers: { Authorization: "Bearer " + tokenInput.value } });
  const body = await res.json().catch(() => ({}));
  if (!res.ok) {
    const e = body.error || {};
    throw new Error(res.status + " " + (e.field ? e.field + ": " : "") + (e.message || res.statusText));
  }
  return body;
}

function showError(err) {
  const box = $("error");
  box.textContent = err ? err.message : "";
  box.style.display = err ? "block" : "none";
}

async function loadEvents(subject, cursor) {
  const page = await call("/v1/subjects/" + encodeURIComponent(subject) + "/events" + params(cursor ? { cursor, limit: 50 } : { limit: 50 }));
  const body = $("events");
  if (!cursor) body.textContent = "";
  for (const e of page.events) {
    const row = body.insertRow();
    cell(row, e.occurred_at);
    cell(row, e.kind);
    cell(row, e.source_system + (e.resolved_via ? " (by " + e.resolved_via.kind + ")" : ""));
    cell(row, e.actor.type + " / " + e.actor.id);
    cell(row, e.data_categories);
    cell(row, e.purpose);
    cell(row, e.legal_basis + (e.legitimate_interest ? " §" + e.legitimate_interest : ""));
    cell(row, e.recipient ? e.recipient.name + " (" + e.recipient.country + ")" : "");
  }
  next = page.next_cursor;
  $("more").hidden = !next;
  $("events-section").hidden = false;
}

// Events known only by a phone number, an IP address, a contract or a
// device join a customer's answers once CRM's identity link says who held
// it at the time; until then they are in nobody's answer. The count tells
// the responder whether an answer may still grow.
async function loadUnresolved() {
  const box = $("unresolved");
  try {
    const u = await call("/v1/identity/unresolved");
    const parts = [];
    if (u.total) {
      parts.push(u.total + " stored events are not attributed to any customer yet (" +
        u.kinds.filter((k) => k.events).map((k) => k.kind + " " + k.events).join(", ") + "): their identity links have not arrived.");
    }
    if (u.contested) {
      parts.push(u.contested + " stored events are claimed by the identity links of two customers and shown to neither until CRM corrects them.");
    }
    box.textContent = parts.length ? parts.join(" ") : "Every stored event is attributed to a customer.";
  } catch (err) {
    box.textContent = "Unresolved events could not be counted: " + err.message;
  }
}

$("lookup").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  showError(null);
  sessionStorage.setItem("lineage-token", tokenInput.value);
  const subject = $("subject").value.trim();
  try {
    const r = await call("/v1/subjects/" + encodeURIComponent(subject) + "/recipients" + params());
    const body = $("recipients");
    body.textContent = "";
    let events = 0, third = 0;
    for (const x of r.recipients) {
      const row = body.insertRow();
      cell(row, x.name + " [" + x.recipient_id + "]");
      cell(row, x.category);
      cell(row, x.country, x.transfer_mechanism ? "third" : "");
      cell(row, x.transfer_mechanism || "EU/EEA", x.transfer_mechanism ? "third" : "");
      cell(row, x.data_categories);
      cell(row, x.purposes);
      cell(row, x.legal_bases);
      cell(row, x.first_at);
      cell(row, x.last_at);
      cell(row, x.events, "num");
      events += x.events;
      if (x.transfer_mechanism) third++;
    }
    $("recipients-summary").textContent = r.recipients.length + " recipients, " + events + " disclosures" +
      (third ? ", " + third + " outside the EU/EEA" : "");
    // Times in which another customer's link claims one of this customer's
    // identifiers too: their events are left out until CRM corrects it.
    $("withheld").textContent = r.withheld.length === 0 ? "" :
      "Withheld until CRM corrects the identity links (another customer holds the same identifier): " +
      r.withheld.map((w) => w.identifier.kind + " from " + w.from + (w.to ? " to " + w.to : " on")).join("; ") + ".";
    $("recipients-section").hidden = false;
    await loadEvents(subject, null);
    await loadUnresolved();
  } catch (err) {
    showError(err);
  }
});
$("more").addEventListener("click", () => loadEvents($("subject").value.trim(), next).catch(showError));
