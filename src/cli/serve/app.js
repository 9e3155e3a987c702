// hvsim serve: the page's script. Everything it shows comes from the
// server's API; nothing is fetched from elsewhere.
"use strict";
const $ = (id) => document.getElementById(id);
const COLOURS = ["#234e8c", "#c0392b", "#27864a", "#b7791f", "#6b46c1", "#2c7a7b", "#97266d", "#555"];
// This page's id, so that the server cancels its older what-if when a newer
// one starts (it names no one and reaches no result).
const CLIENT = Math.random().toString(36).slice(2);
let scenarios = [];
let current = null;
let controller = null;
let timer = null;
let replayData = null;
let playing = null;
// Settings from the address (`#runs=64&lever:staff:dtsi=9&tab=replay&hour=30`),
// so that a link opens the page as it was set; applied once.
let linked = new URLSearchParams(location.hash.slice(1));

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "text") e.textContent = v; else e.setAttribute(k, v);
  }
  for (const c of children) e.append(c);
  return e;
}

function showError(msg) { $("error").textContent = msg; $("error").hidden = false; }
function hideError() { $("error").hidden = true; }

// Hours as the CLI writes durations: `2d 4h`, `5h 30m`, `45m`.
function duration(h) {
  if (h == null || !isFinite(h)) return "–";
  const m = Math.round(h * 60);
  const d = Math.floor(m / 1440), hh = Math.floor((m % 1440) / 60), mm = m % 60;
  if (d > 0) return hh ? `${d}d ${hh}h` : `${d}d`;
  if (hh > 0) return mm ? `${hh}h ${mm}m` : `${hh}h`;
  return `${mm}m`;
}
function pct(x) { return x == null ? "–" : `${x.toFixed(1)} %`; }

async function init() {
  for (const b of document.querySelectorAll(".tab")) b.onclick = () => tab(b.dataset.tab);
  const r = await fetch("/api/scenarios");
  scenarios = (await r.json()).scenarios;
  for (const s of scenarios) {
    $("scenario").append(el("option", { value: s.key, text: s.error ? `${s.file} (invalid)` : `${s.name} (${s.file})` }));
  }
  if (linked.get("scenario")) $("scenario").value = linked.get("scenario");
  $("scenario").onchange = pick;
  for (const id of ["runs", "seed"]) $(id).onchange = schedule;
  $("replay-strategy").onchange = loadReplay;
  $("replay-seed").onchange = loadReplay;
  $("cursor").oninput = () => showHour(+$("cursor").value);
  $("play").onclick = play;
  $("save").onclick = save;
  $("tt-start").onclick = ttStart;
  $("tt-rest").onclick = () => ttDecide({ rest: "strategy" });
  $("tt-undo").onclick = () => ttDecide({ undo: true });
  $("tt-which-next").onclick = () => ttDecide({ rest: "which-next" });
  $("tt-load").onchange = ttLoad;
  pick();
}

function tab(name) {
  for (const b of document.querySelectorAll(".tab")) b.classList.toggle("active", b.dataset.tab === name);
  $("whatif").hidden = name !== "whatif";
  $("replay").hidden = name !== "replay";
  $("tabletop").hidden = name !== "tabletop";
}

function pick() {
  current = scenarios.find((s) => s.key === $("scenario").value);
  hideError();
  $("strategies").replaceChildren(el("legend", { text: "Strategies (the first ticked is the baseline)" }));
  $("levers").replaceChildren(el("legend", { text: "Levers" }));
  $("replay-strategy").replaceChildren();
  $("tt-strategy").replaceChildren();
  if (!current || current.error) { showError(current ? current.error : "no scenario"); return; }
  $("scenario-name").textContent = `${current.name}: ${current.objectives.length} objective(s), ${current.strategies.length} strategies.`;
  const first = [current.default_strategy, ...current.strategies.map((s) => s.id).filter((id) => id !== current.default_strategy)];
  current.strategies.forEach((s) => {
    const box = el("input", { type: "checkbox", value: s.id, id: `strategy-${s.id}` });
    box.checked = first.slice(0, 2).includes(s.id);
    box.onchange = schedule;
    $("strategies").append(el("label", { title: s.description || "" }, box, ` ${s.id}`));
    const o = el("option", { value: s.id, text: s.id });
    if (s.id === current.default_strategy) o.selected = true;
    $("replay-strategy").append(o);
    $("tt-strategy").append(o.cloneNode(true));
  });
  // The scenario's levers first, then each strategy's own (its order, its
  // diagnosis, restarting despite recurrence) folded under its name.
  const own = new Map();
  for (const l of current.levers) {
    if (!l.strategy) { $("levers").append(lever(l)); continue; }
    const s = l.strategy;
    if (!own.has(s)) {
      own.set(s, el("details", {}, el("summary", { text: `${s}'s own levers` })));
      $("levers").append(own.get(s));
    }
    own.get(s).append(lever({ ...l, label: l.label.slice(s.length + 2) }));
  }
  $("save").hidden = !current.saveable;
  $("saved").textContent = "";
  applyLink();
  schedule();
  loadReplay();
}

function applyLink() {
  const l = linked;
  linked = new URLSearchParams();
  if (l.get("strategies")) {
    const want = l.get("strategies").split(",");
    for (const i of $("strategies").querySelectorAll("input")) i.checked = want.includes(i.value);
  }
  for (const k of ["runs", "seed"]) if (l.get(k)) $(k).value = l.get(k);
  if (l.get("replay-strategy")) $("replay-strategy").value = l.get("replay-strategy");
  for (const [k, v] of l) {
    if (!k.startsWith("lever:")) continue;
    const input = document.getElementById(`lever-${k.slice(6)}`);
    if (!input) continue;
    if (input.type === "checkbox") input.checked = v !== "off";
    else { input.value = v; input.dispatchEvent(new Event("input")); }
  }
  if (l.get("hour")) $("cursor").dataset.want = l.get("hour");
  if (l.get("tab")) tab(l.get("tab"));
  if (l.get("session")) ttResume(l.get("session"));
}

function lever(l) {
  if (l.kind === "slider") {
    const out = el("output", { text: l.base });
    const input = el("input", { type: "range", min: l.min, max: l.max, value: l.base, id: `lever-${l.id}`, "data-path": l.path, "data-base": l.base });
    input.oninput = () => { out.textContent = input.value; };
    input.onchange = () => { changed(); };
    return el("label", {}, `${l.label} `, input, " ", out);
  }
  const box = el("input", { type: "checkbox", id: `lever-${l.id}`, "data-sets": JSON.stringify(l.sets) });
  box.onchange = changed;
  return el("label", {}, box, ` ${l.label}`);
}

function changed() { schedule(); loadReplay(); }

// The `--set PATH=VALUE` changes the levers make now.
function sets() {
  const out = [];
  for (const i of $("levers").querySelectorAll("input")) {
    if (i.type === "range" && i.value !== i.dataset.base) out.push(`${i.dataset.path}=${i.value}`);
    if (i.type === "checkbox" && i.checked) out.push(...JSON.parse(i.dataset.sets));
  }
  return out;
}

function params(extra) {
  const p = new URLSearchParams({ scenario: current.key, ...extra });
  for (const s of sets()) p.append("set", s);
  return p;
}

function schedule() { clearTimeout(timer); timer = setTimeout(whatIf, 250); }

async function whatIf() {
  if (!current || current.error) return;
  if (controller) controller.abort();
  controller = new AbortController();
  const strategies = [...$("strategies").querySelectorAll("input:checked")].map((i) => i.value);
  const p = params({ strategies: strategies.join(","), runs: $("runs").value, seed: $("seed").value, client: CLIENT });
  hideError();
  $("status").textContent = "Running…";
  $("status").dataset.done = "no";
  $("progress").value = 0;
  let resp;
  try { resp = await fetch(`/api/compare?${p}`, { signal: controller.signal }); } catch (e) { return; }
  if (!resp.ok) {
    const body = await resp.json().catch(() => ({ error: resp.statusText }));
    showError(body.error);
    $("status").textContent = "Not run: see the message above.";
    return;
  }
  const reader = resp.body.getReader();
  const dec = new TextDecoder();
  let buf = "";
  for (;;) {
    let chunk;
    try { chunk = await reader.read(); } catch (e) { return; }
    if (chunk.done) return;
    buf += dec.decode(chunk.value, { stream: true });
    let i;
    while ((i = buf.indexOf("\n\n")) >= 0) {
      event(buf.slice(0, i));
      buf = buf.slice(i + 2);
    }
  }
}

function event(block) {
  let name = "message", data = "";
  for (const line of block.split("\n")) {
    if (line.startsWith("event:")) name = line.slice(6).trim();
    else if (line.startsWith("data:")) data += line.slice(5).replace(/^ /, "");
  }
  if (!data) return;
  const d = JSON.parse(data);
  if (name === "start") $("command").textContent = `${d.command}`;
  else if (name === "queued") $("status").textContent = `Waiting: ${d.running} run(s) going on this server, ${d.waiting} waiting.`;
  else if (name === "progress" || name === "done") render(d, name === "done");
  else if (name === "cancelled") $("status").textContent += ` Stopped: ${d.reason}.`;
  else if (name === "failed") showError(d.error);
}

function render(d, done) {
  $("progress").value = d.done / d.runs;
  $("status").textContent = done ? `Done: ${d.done} replications per strategy, on common random numbers.` : `${d.done} of ${d.runs} replications per strategy so far…`;
  $("status").dataset.done = done ? "yes" : "no";
  const c = d.compare;
  const names = c.strategies[0].metrics.map((m) => m.name);
  const objectives = names.map((n, i) => [n, i]).filter(([n]) => n.startsWith("objective "));
  const t = $("objectives");
  t.replaceChildren(el("tr", {}, el("th", { text: "strategy" }), ...objectives.map(([n]) => el("th", { text: n.replace(/^objective /, "").replace(/ met$/, "") }))));
  c.strategies.forEach((s, si) => {
    const row = el("tr", {}, el("td", { text: s.id }));
    objectives.forEach(([, mi], oi) => {
      const m = s.metrics[mi];
      const cell = el("td", { class: "p", id: `p-${si}-${oi}`, "data-p": m.mean == null ? "" : m.mean.toFixed(6) }, pct(m.mean));
      if (m.share_ci95) cell.append(el("span", { class: "ci", text: ` (${m.share_ci95[0].toFixed(0)}–${m.share_ci95[1].toFixed(0)})` }));
      row.append(cell);
    });
    t.append(row);
  });
  milestones(c, names);
  curves(c, names);
}

// The incidents' milestone metrics: `incident K (BUG): LABEL`.
function incidents(names) {
  const out = new Map();
  names.forEach((n, i) => {
    const m = n.match(/^(incident \d+ \([^)]*\)): (.*)$/);
    if (!m) return;
    if (!out.has(m[1])) out.set(m[1], {});
    out.get(m[1])[m[2]] = i;
  });
  return out;
}

function milestones(c, names) {
  const t = $("milestones");
  t.replaceChildren(el("tr", {}, el("th", { text: "incident" }), el("th", { text: "strategy" }), el("th", { text: "50 % back" }), el("th", { text: "90 % back" }), el("th", { text: "all back" })));
  for (const [inc, idx] of incidents(names)) {
    c.strategies.forEach((s) => {
      const cell = (label) => { const m = s.metrics[idx[label]]; return el("td", { text: m && m.reached ? `${duration(m.p50)} (${duration(m.p90)})` : "not reached" }); };
      t.append(el("tr", {}, el("td", { text: inc }), el("td", { text: s.id }), cell("50 % back"), cell("90 % back"), cell("100 % back")));
    });
  }
}

// A small chart per incident: the share of its apps back against the hours
// since the strike, through the medians of the milestones.
function curves(c, names) {
  const box = $("curves");
  box.replaceChildren();
  const W = 420, H = 180, L = 40, B = 24;
  for (const [inc, idx] of incidents(names)) {
    const labels = [["first app back", 1], ["50 % back", 50], ["90 % back", 90], ["100 % back", 100]];
    const lines = c.strategies.map((s) => labels.map(([l, y]) => [s.metrics[idx[l]] ? s.metrics[idx[l]].p50 : null, y]).filter(([x]) => x != null));
    const xmax = Math.max(1, ...lines.flat().map(([x]) => x)) * 1.05;
    const sx = (x) => L + (x / xmax) * (W - L - 10), sy = (y) => H - B - (y / 100) * (H - B - 10);
    let svg = `<svg width="${W}" height="${H}" role="img" aria-label="${inc}"><text x="${L}" y="10">${inc}</text>`;
    svg += `<line x1="${L}" y1="${H - B}" x2="${W - 10}" y2="${H - B}" stroke="#999"/><line x1="${L}" y1="10" x2="${L}" y2="${H - B}" stroke="#999"/>`;
    for (const y of [0, 50, 100]) svg += `<text x="4" y="${sy(y) + 4}">${y} %</text>`;
    for (const f of [0.25, 0.5, 0.75, 1]) svg += `<text x="${sx(xmax * f) - 12}" y="${H - 6}">${duration(xmax * f)}</text>`;
    lines.forEach((pts, si) => {
      const path = [[0, 0], ...pts].map(([x, y]) => `${sx(x)},${sy(y)}`).join(" ");
      svg += `<polyline fill="none" stroke-width="2" stroke="${COLOURS[si % COLOURS.length]}" points="${path}"/>`;
      svg += `<text x="${W - 150}" y="${H - B - 10 - 13 * si}" fill="${COLOURS[si % COLOURS.length]}">${c.strategies[si].id}</text>`;
    });
    box.insertAdjacentHTML("beforeend", svg + "</svg>");
  }
}

async function save() {
  const r = await fetch("/api/save", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ scenario: current.key, sets: sets() }) });
  const d = await r.json();
  if (!r.ok) { showError(d.error); return; }
  $("saved").textContent = `Saved as ${d.saved} (the original is unchanged).`;
}

// Replays are fetched on every change: only the latest request's answer
// is shown, or an older, slower one (the page's first load) would
// overwrite it with the settings before the change.
let replaySeq = 0;

async function loadReplay() {
  if (!current || current.error) return;
  const mine = ++replaySeq;
  const p = params({ strategy: $("replay-strategy").value, seed: $("replay-seed").value });
  const r = await fetch(`/api/replay?${p}`);
  const d = await r.json();
  if (mine !== replaySeq) return;
  if (!r.ok) { showError(d.error); return; }
  replayData = d;
  $("replay-command").textContent = d.command;
  $("cursor").max = d.labels.length - 1;
  $("apps-total").textContent = d.apps.length;
  const want = $("cursor").dataset.want;
  delete $("cursor").dataset.want;
  const at = Math.min(want == null ? +$("cursor").value : Math.floor(+want / d.step_h), d.labels.length - 1);
  showHour(at);
}

function covers(interval, t) { return interval[0] != null && interval[0] <= t && (interval[1] == null || t < interval[1]); }

function showHour(i) {
  const d = replayData;
  if (!d) return;
  const t = i * d.step_h;
  $("cursor").value = i;
  $("clock").textContent = d.labels[i];
  $("apps-up").textContent = d.apps_up[i];
  $("apps-up").dataset.hour = i * d.step_h;
  const down = new Set(d.apps.filter((a) => a.outages.some((o) => covers(o, t))).map((a) => a.id));
  const active = d.tasks.filter((k) => k.start != null && k.start <= t && (k.end == null || t < k.end));
  const working = new Set(active.map((k) => k.app).filter((a) => a));
  const waiting = $("waiting");
  waiting.replaceChildren();
  const states = new Map();
  for (const a of d.apps) {
    const dep = a.depends_on.find((x) => down.has(x));
    let state = "up", why = "";
    if (down.has(a.id)) {
      if (working.has(a.id)) state = "work";
      else {
        state = dep ? "waitdep" : "down";
        why = reason(d, a, t, dep);
        waiting.append(el("li", { text: `${a.id}: ${why}` }));
      }
    }
    states.set(a.id, { state, why });
  }
  depGraph(d, states);
  if (!waiting.children.length) waiting.append(el("li", { text: "nothing waits" }));
  const hosts = d.hosts.filter((h) => h.down.some((o) => covers(o, t))).map((h) => h.id);
  $("hosts").textContent = hosts.length ? hosts.join(", ") : "none";
  gantt(d, t);
}

// The dependency graph at the cursor, laid out by the server (hvsim's
// dependency chart's layers: layer 0, what depends on nothing, at the
// bottom): a box per app or group of apps, coloured by the worst state of
// its apps (down, then waiting for a dependency, then being restored).
const WORST = ["down", "waitdep", "work", "up"];

function depGraph(d, states) {
  const g = d.graph;
  const BW = 160, BH = 26, GAP = 8, ROW = 56;
  const widest = Math.max(1, ...g.layers.map((l) => l.length));
  const W = widest * (BW + GAP) + GAP, H = g.layers.length * ROW + 10;
  const at = new Map();
  g.layers.forEach((layer, li) => {
    const offset = (W - layer.length * (BW + GAP) - GAP) / 2;
    layer.forEach((n, k) => at.set(n, { x: offset + GAP + k * (BW + GAP), y: H - (li + 1) * ROW + 10 }));
  });
  const esc = (s) => String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;");
  let svg = `<svg width="${W}" height="${H}" role="img" aria-label="the dependency graph at the cursor">`;
  for (const [from, to] of g.edges) {
    const a = at.get(from), b = at.get(to);
    if (a && b) svg += `<line x1="${a.x + BW / 2}" y1="${a.y + BH}" x2="${b.x + BW / 2}" y2="${b.y}"/>`;
  }
  let up = 0;
  g.nodes.forEach((n, i) => {
    const p = at.get(i);
    if (!p) return;
    const mine = n.apps.map((id) => states.get(id) || { state: "up", why: "" });
    const state = WORST.find((s) => mine.some((m) => m.state === s)) || "up";
    if (state === "up") up++;
    const why = n.apps.map((id, k) => (mine[k].why ? `${id}: ${mine[k].why}` : "")).filter((x) => x).join("\n");
    // A group not wholly up says how much of it is.
    const upHere = mine.filter((m) => m.state === "up").length;
    const whole = n.apps.length > 1 && upHere < n.apps.length ? `${n.label}: ${upHere} up` : n.label;
    const label = whole.length > 25 ? `${whole.slice(0, 24)}…` : whole;
    svg += `<g class="node ${state}" data-node="${i}"><rect x="${p.x}" y="${p.y}" width="${BW}" height="${BH}" rx="3"/>` +
      `<text x="${p.x + 5}" y="${p.y + 17}">${esc(label)}</text><title>${esc(whole)}: ${state === "work" ? "being restored" : state === "waitdep" ? "waiting for a dependency" : state}${why ? `\n${esc(why)}` : ""}</title></g>`;
  });
  svg += "</svg>";
  const box = $("depgraph");
  box.innerHTML = svg;
  box.dataset.nodes = g.nodes.length;
  box.dataset.up = up;
  $("depgraph-summary").textContent = `${up} of ${g.nodes.length} boxes of the dependency graph up`;
}

// Why a down app no one works on waits: `hvsim explain`'s reason for it at
// that hour (the server sends each app's account).
function reason(d, a, t, dep) {
  const r = (a.reasons || []).find((x) => x[0] <= t && t < x[1]);
  if (r) return r[3] ? `${r[2]} (${r[3]})` : r[2];
  return oldReason(d, a, t, dep);
}

function oldReason(d, a, t, dep) {
  const inc = d.incidents.filter((x) => x.apps.includes(a.id) && x.at != null && x.at <= t).pop();
  const label = (h) => (h == null ? "not within the run" : d.labels[Math.min(d.labels.length - 1, Math.round(h / d.step_h))]);
  if (inc && (inc.diagnosed == null || t < inc.diagnosed)) return `waiting for the diagnosis of the fault (${inc.bug}), done ${label(inc.diagnosed)}`;
  if (inc && inc.started != null && t < inc.started) return `waiting for the restoration to start (${label(inc.started)})`;
  if (dep) return `waiting for ${dep}, which it depends on`;
  if (a.team) return `queued for team ${a.team}: every member is busy or off shift`;
  return "no team restores it";
}

function gantt(d, t) {
  const rows = [...new Set(d.tasks.map((k) => `${k.team} #${k.member}`))];
  const end = Math.max(1, (d.labels.length - 1) * d.step_h);
  const W = 900, L = 90, R = 14, H = 16 * rows.length + 20;
  const sx = (h) => L + (h / end) * (W - L - 10);
  let svg = `<svg width="${W}" height="${H}" role="img" aria-label="tasks">`;
  rows.forEach((r, i) => { svg += `<text x="2" y="${i * R + 12}">${r}</text>`; });
  for (const k of d.tasks) {
    if (k.start == null) continue;
    const y = rows.indexOf(`${k.team} #${k.member}`) * R + 2;
    const x0 = sx(Math.max(0, k.start)), x1 = sx(k.end == null ? end : k.end);
    const colour = k.outcome === "done" ? "#4a7ab5" : "#c33";
    svg += `<rect x="${x0}" y="${y}" width="${Math.max(1, x1 - x0)}" height="${R - 3}" fill="${colour}"><title>${k.app || k.host || ""} ${k.method || k.kind} (${k.outcome})</title></rect>`;
  }
  svg += `<line x1="${sx(t)}" y1="0" x2="${sx(t)}" y2="${H}" stroke="#e90" stroke-width="2"/></svg>`;
  $("gantt").innerHTML = svg;
}

function play() {
  if (playing) { clearInterval(playing); playing = null; $("play").textContent = "Play hour by hour"; return; }
  $("play").textContent = "Pause";
  playing = setInterval(() => {
    const i = +$("cursor").value + 1;
    if (!replayData || i >= replayData.labels.length) { play(); return; }
    showHour(i);
  }, 400);
}

// ---- the tabletop exercise: the server runs the simulation and stops at
// each decision; the page shows the stop and posts the room's choice.
let tt = null;

async function ttPost(path, body) {
  const r = await fetch(path, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
  const d = await r.json();
  if (!r.ok) { showError(d.error); return null; }
  hideError();
  return d;
}

async function ttStart() {
  if (!current || current.error) return;
  const body = { scenario: current.key, sets: sets(), strategy: $("tt-strategy").value, seed: +$("tt-seed").value };
  if ($("tt-one").checked) body.one_by_one = true;
  const d = await ttPost("/api/tabletop", body);
  if (d) ttShow(d);
}

async function ttLoad() {
  const f = $("tt-load").files[0];
  if (!f) return;
  let body;
  try { body = JSON.parse(await f.text()); } catch (e) { showError(`${f.name}: not a tabletop session (JSON): ${e}`); return; }
  const d = await ttPost("/api/tabletop", body);
  if (d) ttShow(d);
}

// A reload finds the session again by the id in the address (the server
// keeps the 200 most recent in memory; an older one is gone: load its file).
async function ttResume(id) {
  const r = await fetch(`/api/tabletop/${encodeURIComponent(id)}`);
  const d = await r.json();
  if (!r.ok) { showError(d.error); return; }
  tab("tabletop");
  ttShow(d);
}

async function ttDecide(answer) {
  if (!tt) return;
  const d = await ttPost(`/api/tabletop/${tt.id}/decide`, answer);
  if (d) ttShow(d);
}

function ttShow(d) {
  tt = d;
  const address = new URLSearchParams(location.hash.slice(1));
  address.set("tab", "tabletop");
  address.set("session", d.id);
  history.replaceState(null, "", `#${address}`);
  $("tt-session").hidden = false;
  $("tt-save").href = `/api/tabletop/${d.id}/session`;
  $("tt-command").textContent = d.command;
  $("tt-count").textContent = `${d.decisions} decision${d.decisions === 1 ? "" : "s"} taken`;
  $("tt-stop").hidden = d.done;
  $("tt-end").hidden = !d.done;
  if (d.done) { ttEnd(d); return; }
  const s = d.stop;
  $("tt-clock").textContent = d.clock;
  $("tt-up").textContent = `${d.apps_up} of ${d.apps_total} apps up`;
  $("tt-question").textContent = `Decision ${s.n}: ${s.question}`;
  $("tt-apps").textContent = s.apps.join(", ");
  // A stop of apps names them in its table.
  $("tt-apps").parentElement.hidden = s.rows.length > 0;
  $("tt-which-next").hidden = s.kind !== "task";
  const opts = $("tt-options");
  opts.replaceChildren();
  $("tt-group").hidden = !s.rows.length;
  if (s.rows.length) ttGroup(s);
  else ttTasks(s, opts);
  $("tt-hosts").textContent = d.hosts_down.length ? d.hosts_down.join(", ") : "none";
  const w = $("tt-waiting");
  w.replaceChildren();
  for (const a of d.waiting) w.append(el("li", { text: `${a.app} (down ${a.since}): ${a.reason}${a.detail ? ` (${a.detail})` : ""}` }));
  if (!d.waiting.length) w.append(el("li", { text: "nothing waits" }));
}

// A stop of apps (a method, or a restart despite the risk): one row per
// app with its own choices, the strategy's pre-selected; "the same for
// all" sets every row that has that choice; one submit sends the choice
// for all and the rows that differ from it.
function ttGroup(s) {
  const label = new Map(s.options.map((o) => [JSON.stringify(o.value), o.label]));
  const all = $("tt-all");
  all.replaceChildren();
  for (const o of s.options) {
    const mine = JSON.stringify(o.value) === JSON.stringify(s.strategy);
    all.append(el("option", { value: JSON.stringify(o.value), text: `${o.label}${mine ? " (the strategy's choice for most)" : ""}` }));
  }
  all.value = JSON.stringify(s.strategy);
  const t = $("tt-rows");
  t.replaceChildren(el("tr", {}, el("th", { text: "App" }), el("th", { text: "Until now" }), el("th", { text: "The room's choice" })));
  const selects = [];
  for (const r of s.rows) {
    const sel = el("select", { "data-app": r.app });
    for (const v of r.options) {
      const key = JSON.stringify(v);
      const mine = key === JSON.stringify(r.strategy);
      sel.append(el("option", { value: key, text: `${label.get(key) || key}${mine ? " (the strategy's)" : ""}` }));
    }
    sel.value = JSON.stringify(r.strategy);
    selects.push(sel);
    const name = r.hosts.length ? `${r.app} (on ${r.hosts.join(", ")})` : r.app;
    t.append(el("tr", {}, el("td", { text: name }), el("td", { text: r.waits }), el("td", {}, sel)));
  }
  all.onchange = () => {
    for (const sel of selects) if ([...sel.options].some((o) => o.value === all.value)) sel.value = all.value;
  };
  const n = s.rows.length;
  $("tt-submit").textContent = n === 1 ? "Decide" : `Decide for these ${n} apps`;
  $("tt-submit").onclick = () => {
    const apps = {};
    for (const sel of selects) if (sel.value !== all.value) apps[sel.dataset.app] = JSON.parse(sel.value);
    ttDecide({ choice: JSON.parse(all.value), apps });
  };
  $("tt-submit").focus();
}

function ttTasks(s, opts) {
  // A task stop offers every task that could start now (the strategy's
  // order, its choice first): each with its lane and why it waited.
  let preselected = null;
  for (const o of s.options) {
    const mine = JSON.stringify(o.value) === JSON.stringify(s.strategy);
    const b = el("button", { class: mine ? "option strategy" : "option", text: `${o.label}${mine ? " (the strategy's choice)" : ""}` });
    if (o.lane) {
      b.dataset.lane = o.lane;
      b.append(el("span", { class: "why", text: `${o.lane} lane; until now: ${o.waits}` }));
    }
    b.onclick = () => ttDecide({ choice: o.value });
    opts.append(b);
    if (mine) preselected = b;
  }
  if (preselected) preselected.focus();
}

function ttEnd(d) {
  const rows = d.compare;
  const t = $("tt-compare");
  t.replaceChildren();
  const head = el("tr", {}, el("th", { text: "" }));
  for (const r of rows) head.append(el("th", { text: r.who }));
  t.append(head);
  const line = (label, f) => {
    const tr = el("tr", {}, el("td", { text: label }));
    for (const r of rows) tr.append(el("td", { text: f(r) }));
    t.append(tr);
  };
  (rows[0].incidents || []).forEach((inc, k) => {
    for (const [key, name] of [["half", "50 %"], ["ninety", "90 %"], ["all", "100 %"]]) {
      line(`Incident ${k + 1} (${inc.bug}, ${inc.apps} apps): ${name} back after`, (r) => (r.incidents[k] ? r.incidents[k][key] : "–"));
    }
  });
  line("Objectives met", (r) => `${r.objectives_met} of ${r.objectives.length}`);
  line("Apps that lost data", (r) => `${r.apps_losing_data}${r.apps_losing_everything ? ` (${r.apps_losing_everything} everything)` : ""}`);
  line("Worst data loss", (r) => r.worst_data_loss || "none");
}

init().catch((e) => showError(`cannot load the page's data: ${e}`));
