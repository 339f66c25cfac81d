// The agentops web console: calls /api/v3/ai with the page's token (kept in sessionStorage).
// Everything from the server is put on the page as text (textContent), never as HTML.
"use strict";
const API = "/api/v3/ai";
const $ = (id) => document.getElementById(id);
let plan = null;  // the ActionPlan last interpreted; Propose sends it as it was shown

$("token").value = sessionStorage.getItem("agentops-token") || "";
$("token").addEventListener("change", () => {
  sessionStorage.setItem("agentops-token", $("token").value);
  loadHistory();
});

function headers(json) {
  const h = json ? { "Content-Type": "application/json" } : {};
  if ($("token").value) h["Authorization"] = "Bearer " + $("token").value;
  return h;
}

function el(tag, text, cls) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  if (cls) node.className = cls;
  return node;
}

function showError(body) {
  $("error").textContent = body ? body.error + (body.hint ? "\nhint: " + body.hint : "") : "";
}

async function call(method, path, body) {
  const response = await fetch(path, { method, headers: headers(body !== undefined),
    body: body === undefined ? undefined : JSON.stringify(body) });
  const data = await response.json().catch(() => ({ error: "HTTP " + response.status, hint: null }));
  if (!response.ok) throw data;
  return data;
}

// -- suggestions as you type ---------------------------------------------------------------
let pending = null;
$("command").addEventListener("input", () => {
  clearTimeout(pending);
  pending = setTimeout(async () => {
    const query = $("command").value;
    if (!query.trim()) return;
    try {
      const found = await call("GET", API + "/suggestions?limit=8&query=" + encodeURIComponent(query));
      const list = $("suggestions");
      list.replaceChildren(...found.map((s) => {
        const option = el("option");
        option.value = s.text;
        option.label = s.detail || s.source;
        return option;
      }));
    } catch (e) { /* suggestions are a convenience: errors show on interpret */ }
  }, 150);
});

// -- interpret -----------------------------------------------------------------------------
function renderPlan(p) {
  const box = $("plan");
  box.className = "";
  box.replaceChildren(
    el("p", p.interpretation),
    (() => {
      const risk = el("p");
      risk.append("Risk: ", el("span", p.risk_level, "risk-" + p.risk_level),
                  p.confirmation_required ? " (needs confirmation: the PR's review)" : "");
      return risk;
    })(),
  );
  const table = el("table");
  table.append(...[["action", "resource", "name", "stack", "parameters"]].map((cells) => {
    const tr = el("tr"); cells.forEach((c) => tr.append(el("th", c))); return tr;
  }));
  for (const a of p.actions) {
    const params = Object.entries(a.parameters || {}).filter(([, v]) => v !== null && v !== undefined
      && !(typeof v === "object" && Object.keys(v).length === 0))
      .map(([k, v]) => k + "=" + (typeof v === "object" ? JSON.stringify(v) : v)).join(", ");
    const tr = el("tr");
    [a.type, a.resource, a.name || "-", a.stack || "-", params].forEach((c) => tr.append(el("td", c)));
    table.append(tr);
  }
  box.append(table);
  for (const w of p.warnings || []) box.append(el("p", "warning: " + w, "muted"));
}

$("form").addEventListener("submit", async (event) => {
  event.preventDefault();
  showError(null);
  $("propose").disabled = true;
  try {
    plan = await call("POST", API + "/interpret", { command: $("command").value });
    renderPlan(plan);
    $("propose").disabled = false;
  } catch (e) {
    plan = null;
    showError(e);
  }
});

// -- propose, streamed (server-sent events over a POST: fetch reads the stream) -------------
function renderStage(msg) {
  const li = el("li");
  li.dataset.stage = msg.stage;
  li.append(el("span", msg.stage, "stage"), " ");
  if (msg.stage === "interpretation") {
    li.append(msg.plan.interpretation);
  } else if (msg.stage === "planning") {
    const ul = el("ul");
    for (const s of msg.stacks) {
      const item = el("li");
      const cost = s.cost ? ` cost ${s.cost.before_usd.toFixed(2)} → ${s.cost.after_usd.toFixed(2)} USD/month` : "";
      item.append(el("b", s.stack), `: ${s.changes.length} change(s);${cost}`);
      const inner = el("ul");
      for (const c of s.changes) inner.append(el("li", `${c.kind} ${c.type} ${c.name}`));
      for (const v of s.verdicts) inner.append(el("li", `policy ${v.enforcement} ${v.policy}: ${v.message}`));
      item.append(inner);
      ul.append(item);
    }
    li.append(ul);
  } else if (msg.stage === "proposal") {
    li.append("branch ", el("code", msg.branch, "branch"));
    if (msg.pr_url) {
      const a = el("a", msg.pr_url); a.href = msg.pr_url; li.append(" PR ", a);
    }
    li.append(" ", el("span", msg.risk_level, "risk-" + msg.risk_level));
  } else if (msg.stage === "complete") {
    li.append(el("span", msg.status, "status"), " — " + msg.summary);
  } else if (msg.stage === "error") {
    li.append(el("span", msg.error + (msg.hint ? " (hint: " + msg.hint + ")" : ""), "risk-critical"));
  }
  $("stream").append(li);
}

$("propose").addEventListener("click", async () => {
  if (!plan) return;
  showError(null);
  $("propose").disabled = true;
  $("stream").replaceChildren();
  let response;
  try {
    response = await fetch(API + "/execute-stream", { method: "POST", headers: headers(true),
      body: JSON.stringify({ plan }) });
  } catch (e) { showError({ error: String(e), hint: null }); return; }
  if (!response.ok) {
    showError(await response.json().catch(() => ({ error: "HTTP " + response.status })));
    return;
  }
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let end;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, end); buffer = buffer.slice(end + 2);
      const data = block.split("\n").filter((l) => l.startsWith("data: ")).map((l) => l.slice(6)).join("");
      if (data) renderStage(JSON.parse(data));
    }
  }
  loadHistory();
});

// -- recent proposals ----------------------------------------------------------------------
async function loadHistory() {
  try {
    const rows = await call("GET", API + "/history?limit=10");
    $("history").tBodies[0].replaceChildren(...rows.map((r) => {
      const tr = el("tr");
      tr.append(el("td", r.command), el("td", r.outcome), el("td", r.risk, "risk-" + r.risk));
      const where = el("td");
      if (r.pr) { const a = el("a", r.pr); a.href = r.pr; where.append(a); } else where.append(el("code", r.branch));
      tr.append(where, el("td", r.proposed_at));
      return tr;
    }));
  } catch (e) { /* without a token the list stays empty; the token field says why */ }
}
loadHistory();
