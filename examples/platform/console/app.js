// The techbroker console: plain JavaScript over the HTTP API of the same
// origin. Nothing is fetched from elsewhere.
"use strict";

const state = { key: sessionStorage.getItem("techbroker-key") || "" };

// The case pipeline (broker.CaseTransitions): the moves offered from each
// stage. The API checks them again and says why when it refuses.
const NEXT = {
  collected: ["screened", "rejected", "withdrawn"],
  screened: ["cultivating", "promoting", "rejected", "withdrawn"],
  cultivating: ["promoting", "rejected", "withdrawn"],
  promoting: ["listed", "traded", "rejected", "withdrawn"],
  listed: ["traded", "promoting", "rejected", "withdrawn"],
  traded: ["incubating", "closed", "rejected", "withdrawn"],
  incubating: ["closed", "rejected", "withdrawn"],
};
const STAGE_ZH = { collected: "征集", screened: "筛选", cultivating: "培育", promoting: "推介", listed: "挂牌",
  traded: "交易", incubating: "孵化", closed: "结案", rejected: "不予推进", withdrawn: "撤回" };

function $(sel) { return document.querySelector(sel); }
function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  for (const c of children) e.append(c);
  return e;
}

function showError(msg) {
  const p = $("#error");
  p.textContent = msg;
  p.hidden = !msg;
}

// api calls the API with the key and returns the parsed body and response;
// a problem (RFC 9457) becomes an Error with its detail and field messages.
async function api(method, path, body, headers) {
  const h = Object.assign({ "Accept-Language": navigator.language || "zh-CN" }, headers || {});
  if (state.key) h["Authorization"] = "Bearer " + state.key;
  const init = { method, headers: h };
  if (body !== undefined) {
    h["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  const res = await fetch(path, init);
  const text = await res.text();
  const data = text ? JSON.parse(text) : null;
  if (!res.ok) {
    const fields = (data && data.errors || []).map(f => f.message).join("；");
    throw new Error(`${res.status} ${data && data.title || ""}: ${data && data.detail || ""}${fields ? " — " + fields : ""}`);
  }
  return { data, res };
}

function guard(fn) {
  return async (ev) => {
    if (ev) ev.preventDefault();
    showError("");
    try { await fn(ev); } catch (e) { showError(e.message); }
  };
}

// ---- tabs ----
document.querySelectorAll("nav button").forEach(b => b.addEventListener("click", guard(async () => {
  document.querySelectorAll("nav button").forEach(x => x.classList.toggle("active", x === b));
  for (const t of ["search", "demands", "cases"]) $("#tab-" + t).hidden = t !== b.dataset.tab;
  if (b.dataset.tab === "demands") await loadDemands();
  if (b.dataset.tab === "cases") await loadCases();
})));

// ---- key ----
$("#key-form").addEventListener("submit", guard(async () => {
  state.key = $("#key").value.trim();
  sessionStorage.setItem("techbroker-key", state.key);
  $("#who").textContent = state.key ? "已登录 signed in" : "匿名 anonymous";
}));
$("#key").value = state.key;
$("#who").textContent = state.key ? "已登录 signed in" : "匿名 anonymous";

// ---- search ----
$("#search-form").addEventListener("submit", guard(async () => {
  const q = encodeURIComponent($("#search-q").value);
  const kind = $("#search-kind").value;
  const { data } = await api("GET", `/v1/search?q=${q}&kind=${kind}`);
  const items = Array.isArray(data) ? data : (data.items || []);
  const ol = $("#search-results");
  ol.replaceChildren();
  if (!items.length) ol.append(el("li", { class: "empty" }, "没有结果 No results"));
  for (const m of items) {
    ol.append(el("li", { "data-id": m.id }, m.title, " ", el("span", { class: "score" }, m.score.toFixed(3)),
      el("div", { class: "signals" }, "匹配词 terms: " + (m.explanation.terms || []).join("、"))));
  }
}));

// ---- demands and their matches ----
async function loadDemands() {
  const { data } = await api("GET", "/v1/demands?limit=100");
  const ul = $("#demands");
  ul.replaceChildren();
  for (const d of data.items || []) {
    const li = el("li", { "data-id": d.id }, d.title + " · " + d.enterprise);
    li.addEventListener("click", guard(() => openDemand(d)));
    ul.append(li);
  }
}

async function openDemand(d) {
  $("#demand-title").textContent = d.title;
  const { data } = await api("GET", `/v1/demands/${encodeURIComponent(d.id)}/matches?k=10`);
  const ol = $("#matches");
  ol.replaceChildren();
  for (const m of data) {
    const signals = el("div", { class: "signals" });
    for (const s of m.explanation.signals) {
      signals.append(el("span", { class: "signal", "data-name": s.name },
        `${s.name} ${s.value.toFixed(2)} × ${s.weight.toFixed(2)} = ${s.contribution.toFixed(3)}`));
    }
    if ((m.explanation.terms || []).length) signals.append(el("span", {}, "匹配词 " + m.explanation.terms.join("、")));
    for (const n of m.explanation.notes || []) signals.append(el("span", { class: "note" }, n));
    ol.append(el("li", { "data-id": m.id }, m.title, " ", el("span", { class: "score" }, m.score.toFixed(3)), signals));
  }
  if (!data.length) ol.append(el("li", { class: "empty" }, "没有匹配 No matches"));
}

// ---- cases ----
async function loadCases() {
  const { data } = await api("GET", "/v1/cases?limit=100");
  const ul = $("#cases");
  ul.replaceChildren();
  for (const c of data.items || []) {
    const li = el("li", { "data-id": c.id }, `${c.title || c.subject.id} · ${STAGE_ZH[c.stage] || c.stage}`);
    li.addEventListener("click", guard(() => openCase(c.id)));
    ul.append(li);
  }
}

let current = null;

async function openCase(id) {
  const { data: c, res } = await api("GET", `/v1/cases/${encodeURIComponent(id)}`);
  current = { id: c.id, etag: res.headers.get("ETag") };
  $("#case-detail").hidden = false;
  $("#case-title").textContent = c.title || c.subject.id;
  $("#case-stage").textContent = c.stage;
  $("#case-stage").dataset.stage = c.stage;
  $("#case-version").textContent = c.version;
  const sel = $("#move-to");
  sel.replaceChildren();
  for (const s of NEXT[c.stage] || []) sel.append(el("option", { value: s }, `${STAGE_ZH[s]} ${s}`));
  $("#move-form").hidden = !(NEXT[c.stage] || []).length;
  const { data: hist } = await api("GET", `/v1/cases/${encodeURIComponent(id)}/history`);
  const ol = $("#case-history");
  ol.replaceChildren();
  for (const e of hist) {
    const st = e.stage ? `${e.stage.from || "—"} → ${e.stage.to}` : (e.service ? "服务 " + e.service.name : e.type);
    ol.append(el("li", {}, `${e.time.slice(0, 19).replace("T", " ")} ${st} (${e.actor})`));
  }
}

$("#move-form").addEventListener("submit", guard(async () => {
  if (!current) return;
  const to = $("#move-to").value;
  const text = $("#move-reason").value.trim();
  const body = { to };
  if (to === "screened") body.verdict = { passed: true, ref: text || "评审记录" };
  else if (text) body.reason = text;
  await api("POST", `/v1/cases/${encodeURIComponent(current.id)}/moves`, body, { "If-Match": current.etag });
  $("#move-reason").value = "";
  await openCase(current.id);
  await loadCases();
}));
