/// The page's behaviour. Every number it shows is a field of a recsh
/// command's JSON answer (`/api/COMMAND`); it only lays them out.
///
/// Actions can also come from the address, so a headless browser that only
/// loads the page sees their result: `?user=1&k=10&planes=8&like=50,181`
/// (`planes=2,4,8` moves the slider through each; `unlike=`, `layer=`,
/// `head=`, `model=` for the what-if; and
/// `new=1&age=25&gender=F&occupation=student&likes=50,181` for a new user).
/// `body[data-status]` is "ready" once every call has answered.
enum PageJS {
    static let text = #"""
"use strict";
const $ = (id) => document.getElementById(id);
const SVG = "http://www.w3.org/2000/svg";
const state = {
  info: null, models: [], user: null, liked: [], likes: new Set(), drops: new Set(),
  attention: null, lsh: {}, newLikes: new Map(), pending: 0, failed: false, started: false,
};

// ---- DOM helpers: text always goes through textContent, never markup ----
function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "class") node.className = v;
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else if (v !== undefined && v !== null) node.setAttribute(k, v);
  }
  for (const c of children.flat()) if (c !== null && c !== undefined) node.append(c);
  return node;
}
function svg(tag, attrs, text) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
  if (text !== undefined) node.textContent = text;
  return node;
}
const fmt = (x, d = 3) => (typeof x === "number" && isFinite(x)) ? x.toFixed(d) : "–";
const short = (s, n = 26) => s.length > n ? s.slice(0, n - 1) + "…" : s;

// ---- the one way the page talks to the session ----
async function api(command, args = [], options = {}) {
  state.pending += 1;
  setStatus("working…", "loading");
  try {
    const response = await fetch("/api/" + command, {
      method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ args: args.map(String), options }),
    });
    let body;
    try { body = await response.json(); } catch (e) { body = { ok: false, error: "HTTP " + response.status }; }
    $("last-call").textContent = "Last call: " + [command, ...args].join(" ") + " → " + response.status;
    return body;
  } catch (e) {
    state.failed = true;
    return { ok: false, error: String(e) };
  } finally {
    state.pending -= 1;
    if (state.pending === 0 && state.started) settle();
  }
}
// "ready" only after the start-up actions (from the address too) have all answered.
function settle() { setStatus(state.failed ? "error" : "ready", state.failed ? "error" : "ready"); }
function setStatus(text, kind) {
  $("status").textContent = text;
  document.body.dataset.status = kind;
}
function errorLine(answer) { return el("div", { class: "error" }, answer.error || "failed"); }

// ---- start: the session's data set and models ----
async function start() {
  const params = new URLSearchParams(location.search);
  const [info, models] = await Promise.all([api("info"), api("models")]);
  state.info = info;
  state.models = (models.ok && models.models) ? models.models : [];
  if (!info.ok) {
    $("session-info").textContent = info.error + " (load data in the shell, then serve again)";
    state.failed = true; state.started = true; settle(); return;
  }
  const split = typeof info.split === "object" && info.split ? (info.split.kind || "") : (info.split || "none");
  $("session-info").textContent = `${info.dataset}: ${info.users} users, ${info.movies} movies, ` +
    `${info.graph_edges ?? "?"} training edges, split ${split}; models: ` +
    (state.models.map((m) => `${m.name} (${m.kind})`).join(", ") || "none trained");
  $("user-id").max = info.users;
  for (const name of info.user_feature_names || []) {
    const m = /^occupation[:=_ ](.+)$/.exec(name);
    if (m) $("nu-occupation").append(el("option", { value: m[1] }, m[1]));
  }
  fillModels(params);
  if (params.get("k")) $("k").value = params.get("k");
  // planes=4 sets the slider; planes=2,4,8 moves it through each setting in turn (the chart keeps every point).
  const planes = (params.get("planes") || "").split(",").filter(Boolean);
  $("lsh-planes").value = planes.length ? planes[0] : $("lsh-planes").value;
  $("lsh-planes-value").textContent = $("lsh-planes").value;
  wire();
  if (state.models.length === 0) {
    $("rec-columns").append(el("p", { class: "dim" }, "No trained models in this session: train one in the shell (train gcn), then serve again."));
  }
  const user = params.get("user") || "1";
  $("user-id").value = user;
  await showUser(user, params.get("layer"), params.get("head"));
  const tasks = [(async () => {
    await runLSH();
    for (const p of planes.slice(1)) {
      $("lsh-planes").value = p; $("lsh-planes-value").textContent = p;
      await runLSH();
    }
  })()];
  const likes = (params.get("like") || "").split(",").filter(Boolean);
  const unlikes = (params.get("unlike") || "").split(",").filter(Boolean);
  if (likes.length || unlikes.length) {
    for (const m of likes) state.likes.add(m);
    if (!likes.length) for (const m of unlikes) state.drops.add(m);
    markToggles();
    tasks.push(runWhatif());
  }
  if (params.get("new")) {
    $("newuser").open = true;
    if (params.get("age")) $("nu-age").value = params.get("age");
    if (params.get("gender")) $("nu-gender").value = params.get("gender");
    if (params.get("occupation")) $("nu-occupation").value = params.get("occupation");
    for (const id of (params.get("likes") || "").split(",").filter(Boolean)) state.newLikes.set(id, "movie " + id);
    drawNewLikes();
    tasks.push(runNewUser());
  }
  await Promise.all(tasks);
  state.started = true;
  if (state.pending === 0) settle();
}

function fillModels(params) {
  const names = state.models.map((m) => m.name);
  const gats = state.models.filter((m) => m.kind === "gat").map((m) => m.name);
  const prefer = (kinds) => {
    for (const k of kinds) { const m = state.models.find((x) => x.kind === k); if (m) return m.name; }
    return names[names.length - 1];
  };
  const fill = (select, list, chosen) => {
    select.replaceChildren(...list.map((n) => el("option", { value: n }, n)));
    if (chosen) select.value = chosen;
  };
  fill($("whatif-model"), names, params.get("model") || prefer(["gat", "gcn", "lightgcn"]));
  fill($("lsh-model"), names, prefer(["gcn", "gat", "lightgcn"]));
  fill($("att-model"), gats, gats[gats.length - 1]);
}

function wire() {
  $("user-form").addEventListener("submit", (e) => { e.preventDefault(); showUser($("user-id").value); });
  $("user-random").addEventListener("click", () => {
    const n = state.info ? state.info.users : 943;
    $("user-id").value = 1 + Math.floor(Math.random() * n);
    showUser($("user-id").value);
  });
  $("k").addEventListener("change", () => showUser($("user-id").value));
  $("whatif-model").addEventListener("change", runWhatif);
  $("whatif-reset").addEventListener("click", () => { state.likes.clear(); state.drops.clear(); markToggles(); runWhatif(); });
  $("att-model").addEventListener("change", () => loadAttention());
  $("att-top").addEventListener("change", () => loadAttention());
  $("att-layer").addEventListener("change", drawAttention);
  $("att-head").addEventListener("change", drawAttention);
  $("lsh-planes").addEventListener("input", () => { $("lsh-planes-value").textContent = $("lsh-planes").value; });
  $("lsh-planes").addEventListener("change", runLSH);
  $("lsh-model").addEventListener("change", runLSH);
  let timer = null;
  $("nu-search").addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(searchTitles, 250); });
  $("newuser-form").addEventListener("submit", (e) => { e.preventDefault(); runNewUser(); });
}

// ---- a user: profile, each model's top-K, their liked movies, attention ----
async function showUser(user, layer, head) {
  state.user = String(user);
  state.likes.clear(); state.drops.clear();
  $("whatif-list").replaceChildren(); $("whatif-note").textContent = ""; $("whatif-edits").replaceChildren();
  const profile = await api("user", [user], { top: 2000 });
  const box = $("user-profile");
  if (!profile.ok) {
    box.replaceChildren(errorLine(profile));
    $("rec-columns").replaceChildren(); $("liked").replaceChildren(); $("att-graph").replaceChildren();
    return;
  }
  const who = [profile.age, profile.gender, profile.occupation].filter((x) => x !== undefined && x !== null).join(" · ");
  box.replaceChildren(el("b", {}, `user ${profile.user}`), " ", who, el("br"),
    el("span", { class: "dim" }, `${profile.ratings} ratings, ${profile.positives} liked; ` +
      `${profile.degree} in the training graph` + (profile.test_edges !== undefined ? `, ${profile.val_edges} val / ${profile.test_edges} test held out` : "")));
  state.liked = (profile.rated || []).filter((r) => r.edge === "train");
  drawLiked();
  $("recs-title").textContent = `Top-${$("k").value} for user ${profile.user}, each trained model`;
  await Promise.all([loadRecommendations(user), loadAttention(layer, head)]);
}

async function loadRecommendations(user) {
  const k = Number($("k").value) || 10;
  const answers = await Promise.all(state.models.map((m) => api("recommend", [user, "why"], { model: m.name, k })));
  $("rec-columns").replaceChildren(...state.models.map((m, i) => modelColumn(m, answers[i], true)));
}

function modelColumn(model, answer, toggles) {
  const column = el("div", { class: "model-column", "data-model": model.name });
  column.append(el("h3", {}, model.name, el("span", { class: "dim small" }, ` ${model.kind}`)));
  if (!answer.ok) { column.append(errorLine(answer)); return column; }
  const list = el("ol");
  for (const item of answer.items || []) {
    const why = item.paths && item.paths.length
      ? "via " + item.paths.slice(0, 2).map((p) => `${short(p.rated_title, 22)} › user ${p.via_user}`).join("; ")
      : item.because && item.because.length
        ? "like " + item.because.slice(0, 2).map((b) => short(b.title, 24)).join("; ")
        : "";
    const li = el("li", { class: "rec", "data-movie": item.movie },
      toggles ? el("button", { type: "button", class: "toggle like", title: "like it in the what-if", "data-movie": item.movie,
        onclick: () => toggleLike(String(item.movie)) }, "♥") : null,
      el("span", { class: "title" }, item.title),
      el("span", { class: "score" }, fmt(item.score, 2)),
      item.held_out ? el("span", { class: "hit", title: "a held-out positive: a hit" }, item.held_out) : null,
      why ? el("span", { class: "why" }, why) : null);
    list.append(li);
  }
  column.append(list);
  if (answer.why) column.append(el("div", { class: "dim small" }, answer.attention_paths
    ? "why: the heaviest two-hop attention paths (your movie › a user who rated it)"
    : answer.why === "leave_one_out" ? "why: the likes whose removal lowers the score most"
    : "why: your liked movies nearest in embedding space"));
  markToggles();
  return column;
}

function drawLiked() {
  $("liked").replaceChildren(...state.liked.map((r) => el("li", { "data-movie": r.movie },
    el("button", { type: "button", class: "toggle unlike", title: "unlike it in the what-if", "data-movie": r.movie,
      onclick: () => toggleDrop(String(r.movie)) }, "✕"),
    `${r.title} `, el("span", { class: "dim" }, `(${fmt(r.rating, 0)}★)`))));
  if (!state.liked.length) $("liked").append(el("li", { class: "dim" }, "no training edges"));
  markToggles();
}

// ---- what-if toggles ----
function toggleLike(movie) {
  state.drops.clear();
  if (state.likes.has(movie)) state.likes.delete(movie); else state.likes.add(movie);
  markToggles(); runWhatif();
}
function toggleDrop(movie) {
  state.likes.clear();
  if (state.drops.has(movie)) state.drops.delete(movie); else state.drops.add(movie);
  markToggles(); runWhatif();
}
function markToggles() {
  for (const b of document.querySelectorAll("button.like")) b.classList.toggle("on", state.likes.has(b.dataset.movie));
  for (const b of document.querySelectorAll("button.unlike")) {
    b.classList.toggle("on", state.drops.has(b.dataset.movie));
    b.parentElement.classList.toggle("off", state.drops.has(b.dataset.movie));
  }
  const title = (id) => {
    const li = document.querySelector(`li[data-movie="${id}"] .title`);
    const liked = state.liked.find((r) => String(r.movie) === id);
    return li ? li.textContent : liked ? liked.title : "movie " + id;
  };
  $("whatif-edits").replaceChildren(
    ...[...state.likes].map((m) => el("span", { class: "chip like" }, "♥ " + short(title(m), 30))),
    ...[...state.drops].map((m) => el("span", { class: "chip drop" }, "✕ " + short(title(m), 30))));
}

async function runWhatif() {
  const list = $("whatif-list"), note = $("whatif-note");
  const kind = state.likes.size ? "likes" : state.drops.size ? "drops" : null;
  if (!kind || !state.user) { list.replaceChildren(); note.textContent = ""; list.removeAttribute("data-entered"); return; }
  const movies = [...(kind === "likes" ? state.likes : state.drops)];
  const answer = await api("whatif", ["user", state.user, kind, ...movies], { model: $("whatif-model").value, k: Number($("k").value) || 10 });
  if (!answer.ok) { list.replaceChildren(); note.replaceChildren(errorLine(answer)); return; }
  const before = new Map(answer.before.map((x) => [x.movie, x.rank]));
  const after = new Set(answer.after.map((x) => x.movie));
  const rows = answer.after.map((x) => {
    const was = before.get(x.movie);
    const delta = was === undefined ? "new" : was > x.rank ? `▲${was - x.rank}` : was < x.rank ? `▼${x.rank - was}` : "";
    return el("li", { class: was === undefined ? "new" : "", "data-movie": x.movie },
      x.title, delta ? el("span", { class: "delta" }, delta) : null);
  });
  for (const x of answer.before) if (!after.has(x.movie)) rows.push(el("li", { class: "gone", "data-movie": x.movie }, x.title));
  list.replaceChildren(...rows);
  list.dataset.entered = answer.entered.length;
  list.dataset.left = answer.left.length;
  note.textContent = `${answer.model}: ${answer.entered.length} entered, ${answer.left.length} left; ` +
    `${answer.users_affected} other users' top-${answer.k} changed. The session is unchanged.`;
}

// ---- attention neighbourhood ----
async function loadAttention(layer, head) {
  const model = $("att-model").value;
  if (!model || !state.user) {
    $("att-graph").replaceChildren(el("p", { class: "dim" }, "No GAT in this session (train gat shows whom each node listens to)."));
    return;
  }
  const answer = await api("attention", ["user", state.user], { model, top: Number($("att-top").value) || 12 });
  state.attention = answer;
  if (!answer.ok) { $("att-graph").replaceChildren(errorLine(answer)); return; }
  const layers = [...new Set(answer.views.map((v) => v.layer))];
  const heads = [...new Set(answer.views.map((v) => v.head))];
  const keep = (select, values, chosen) => {
    const old = chosen || select.value;
    select.replaceChildren(...values.map((v) => el("option", { value: v }, v)));
    if (values.map(String).includes(String(old))) select.value = old;
  };
  keep($("att-layer"), layers, layer); keep($("att-head"), heads, head);
  drawAttention();
}

function drawAttention() {
  const answer = state.attention;
  if (!answer || !answer.ok) return;
  const view = answer.views.find((v) => String(v.layer) === $("att-layer").value && String(v.head) === $("att-head").value) || answer.views[0];
  const W = 720, H = 440, cx = W / 2, cy = H / 2 + 14, R = 150;
  const root = svg("svg", { viewBox: `0 0 ${W} ${H}`, role: "img", "data-layer": view.layer, "data-head": view.head });
  const others = view.neighbors.filter((n) => !n.self);
  const gcn = view.gcn_mean_weight;
  const heaviest = Math.max(...view.neighbors.map((n) => n.weight), view.self_weight || 0, gcn || 0, 1e-12);
  const width = (w) => 1 + 15 * w / heaviest;
  const times = (w) => gcn ? ` · ${fmt(w / gcn, 1)}×` : "";
  others.forEach((n, i) => {
    const a = -Math.PI / 2 + (i + 0.5) * 2 * Math.PI / others.length;
    const x = cx + R * Math.cos(a), y = cy + R * Math.sin(a);
    if (gcn) root.append(svg("line", { x1: x, y1: y, x2: cx, y2: cy, class: "gcn", stroke: "#adb5bd", "stroke-width": width(gcn) }));
    const edge = svg("line", { x1: x, y1: y, x2: cx, y2: cy, class: "edge", "data-weight": n.weight, "data-id": n.id, "data-kind": n.kind,
      stroke: gcn && n.weight >= gcn ? "#d9480f" : "#1971c2", "stroke-opacity": 0.75, "stroke-width": width(n.weight) });
    edge.append(svg("title", {}, `${n.title}: weight ${fmt(n.weight, 4)}` + (gcn ? ` (${fmt(n.weight / gcn, 2)}× GCN's 1/|N|)` : "")));
    root.append(edge);
    root.append(svg("circle", { cx: x, cy: y, r: 6, fill: n.kind === "movie" ? "#f08c00" : "#1c7ed6" }));
    const right = Math.cos(a) >= 0;
    root.append(svg("text", { x: x + (right ? 9 : -9), y: y + 4, "text-anchor": right ? "start" : "end", "font-size": 11, fill: "#343a40" },
      `${short(n.title, 20)} ${fmt(n.weight, 3)}${times(n.weight)}`));
  });
  // The self-loop (v attends to itself; GCN's mean leaves it out): always drawn, whatever its rank.
  if (typeof view.self_weight === "number") {
    const loop = svg("circle", { cx, cy: cy + 30, r: 20, fill: "none", class: "self-loop", "data-weight": view.self_weight,
      stroke: "#2b8a3e", "stroke-dasharray": "4 3", "stroke-width": Math.max(2, width(view.self_weight)) });
    loop.append(svg("title", {}, `self-loop: weight ${fmt(view.self_weight, 4)}`));
    root.append(loop);
    root.append(svg("text", { x: cx, y: cy + 66, "text-anchor": "middle", "font-size": 11, fill: "#2b8a3e", "font-weight": 600 },
      `self-loop ${fmt(view.self_weight, 3)}${times(view.self_weight)}`));
  }
  root.append(svg("circle", { cx, cy, r: 11, fill: "#212529" }));
  root.append(svg("text", { x: cx + 14, y: cy - 10, "font-size": 12, "font-weight": 600 }, `user ${state.user}`));
  // Legend: a GAT edge beside GCN's uniform weight.
  const legend = [["#d9480f", 5, "GAT weight ≥ GCN's 1/|N|"], ["#1971c2", 3, "GAT weight < 1/|N|"]];
  if (gcn) legend.push(["#adb5bd", width(gcn), `GCN: every neighbour 1/|N| = ${fmt(gcn, 4)}`]);
  legend.push(["#2b8a3e", 2, "self-loop (dashed)"]);
  legend.forEach(([colour, w, text], i) => {
    root.append(svg("line", { x1: 8, y1: 14 + 17 * i, x2: 44, y2: 14 + 17 * i, stroke: colour, "stroke-width": w }));
    root.append(svg("text", { x: 50, y: 18 + 17 * i, "font-size": 11 }, text));
  });
  $("att-graph").replaceChildren(root);
  $("att-legend").textContent = `${answer.model}, layer ${view.layer}, head ${view.head}: ${view.sources} sources incl. self ` +
    `(heaviest ${others.length} drawn); edge width ∝ attention weight, grey underlay = GCN's uniform 1/|N|` +
    (gcn ? ` = ${fmt(gcn, 4)}` : "") + `; "×" = weight over 1/|N|; normalized entropy ${fmt(view.normalized_entropy, 3)} (1 = uniform).`;
}

// ---- LSH: the planes slider ----
async function runLSH() {
  const model = $("lsh-model").value, planes = Number($("lsh-planes").value);
  if (!model) { $("lsh-result").replaceChildren(el("p", { class: "dim" }, "No trained model to hash.")); return; }
  const answer = await api("lsh", [], { planes, model, runs: 3 });
  const box = $("lsh-result");
  if (!answer.ok) { box.replaceChildren(errorLine(answer)); return; }
  const ms = (perSecond) => perSecond > 0 ? answer.users / perSecond * 1000 : NaN;
  const point = { recall: answer.recall_vs_exact, lsh: ms(answer.users_per_second), exact: ms(answer.exact_users_per_second),
                  candidates: answer.candidates_per_user };
  (state.lsh[model] = state.lsh[model] || {})[planes] = point;
  const metric = (label, value, key) => el("div", { class: "metric", "data-key": key, "data-value": value },
    el("b", {}, value), el("span", { class: "dim small" }, label));
  box.replaceChildren(
    metric(`recall of exact top-${answer.k}`, fmt(answer.recall_vs_exact, 3), "recall"),
    metric("candidates per user", fmt(answer.candidates_per_user, 1), "candidates"),
    metric(`ms for ${answer.users} users (exact ${fmt(point.exact, 1)})`, fmt(point.lsh, 1), "ms"),
    metric("speed-up over exact", fmt(answer.speedup, 2) + "×", "speedup"));
  box.dataset.planes = answer.planes;
  box.dataset.recall = answer.recall_vs_exact;
  $("lsh-note").textContent = answer.note || "";
  drawLSHChart(model);
}

function drawLSHChart(model) {
  const points = Object.entries(state.lsh[model] || {}).map(([p, v]) => ({ p: Number(p), ...v })).sort((a, b) => a.p - b.p);
  const W = 640, H = 210, L = 44, Rm = 50, T = 26, B = 30;
  const x = (p) => L + (p - 1) / 15 * (W - L - Rm);
  const y = (r) => T + (1 - r) * (H - T - B);
  const maxMs = Math.max(...points.map((q) => Math.max(q.lsh || 0, q.exact || 0)), 1e-3);
  const yt = (ms) => T + (1 - ms / maxMs) * (H - T - B);
  const root = svg("svg", { viewBox: `0 0 ${W} ${H}`, "data-points": points.length });
  root.append(svg("line", { x1: L, y1: H - B, x2: W - Rm, y2: H - B, stroke: "#adb5bd" }));
  root.append(svg("line", { x1: L, y1: T, x2: L, y2: H - B, stroke: "#adb5bd" }));
  for (const p of [1, 4, 8, 12, 16]) root.append(svg("text", { x: x(p), y: H - B + 14, "text-anchor": "middle", "font-size": 10 }, p));
  root.append(svg("text", { x: (W - Rm + L) / 2, y: H - 3, "text-anchor": "middle", "font-size": 11 }, "planes"));
  for (const r of [0, 0.5, 1]) root.append(svg("text", { x: L - 5, y: y(r) + 4, "text-anchor": "end", "font-size": 10 }, r));
  root.append(svg("text", { x: L, y: 12, "font-size": 11, fill: "#d9480f", "text-anchor": "middle" }, "recall"));
  root.append(svg("text", { x: W - Rm, y: 12, "font-size": 11, fill: "#1971c2", "text-anchor": "middle" }, "ms, all users"));
  root.append(svg("line", { x1: W - Rm, y1: T, x2: W - Rm, y2: H - B, stroke: "#adb5bd" }));
  for (const f of [0, 0.5, 1]) root.append(svg("text", { x: W - Rm + 5, y: yt(f * maxMs) + 4, "font-size": 10 }, fmt(f * maxMs, 1)));
  const line = (key, scale, color) => {
    if (points.length > 1) root.append(svg("polyline", { fill: "none", stroke: color, "stroke-width": 2,
      points: points.map((q) => `${x(q.p)},${scale(q[key])}`).join(" ") }));
    for (const q of points) root.append(svg("circle", { cx: x(q.p), cy: scale(q[key]), r: 3.5, fill: color, class: "lsh-" + key }));
  };
  line("recall", y, "#d9480f");
  line("lsh", yt, "#1971c2");
  line("exact", yt, "#868e96");
  root.append(svg("text", { x: W - Rm - 4, y: H - B - 6, "font-size": 10, "text-anchor": "end", fill: "#868e96" }, "grey: exact search"));
  $("lsh-chart").replaceChildren(root);
}

// ---- a new user from features and likes ----
async function searchTitles() {
  const text = $("nu-search").value.trim();
  if (text.length < 2) { $("nu-results").replaceChildren(); return; }
  const answer = await api("find", [text], { limit: 8 });
  if (!answer.ok) { $("nu-results").replaceChildren(el("li", { class: "error" }, answer.error)); return; }
  $("nu-results").replaceChildren(...answer.movies.map((m) => el("li", { onclick: () => {
    state.newLikes.set(String(m.movie), m.title); drawNewLikes(); } }, `${m.title} (${m.ratings} ratings)`)));
}
function drawNewLikes() {
  $("nu-likes").replaceChildren(...[...state.newLikes].map(([id, title]) => el("span", { class: "chip", "data-movie": id },
    short(title, 30) + " ", el("button", { type: "button", class: "toggle", onclick: () => { state.newLikes.delete(id); drawNewLikes(); } }, "✕"))));
}
async function runNewUser() {
  const options = { k: Number($("k").value) || 10 };
  if ($("nu-age").value) options.age = $("nu-age").value;
  if ($("nu-gender").value) options.gender = $("nu-gender").value;
  if ($("nu-occupation").value) options.occupation = $("nu-occupation").value;
  if (state.newLikes.size) options.likes = [...state.newLikes.keys()].join(",");
  const answers = await Promise.all(state.models.map((m) => api("newuser", [], { ...options, model: m.name })));
  const persona = [options.age && `age ${options.age}`, options.gender, options.occupation,
    options.likes && `likes ${options.likes}`].filter(Boolean).join(", ") || "no features, no likes";
  $("recs-title").textContent = `Top-${options.k} for a new user (${persona}), each trained model`;
  $("rec-columns").replaceChildren(...state.models.map((m, i) => modelColumn(m, answers[i], false)));
  $("rec-columns").dataset.newuser = "1";
}

start().catch((e) => { state.failed = true; setStatus("error: " + e, "error"); });
"""#
}
