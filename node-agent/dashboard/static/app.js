// DSDN dashboard page: polls /api/v1/panels and renders every panel with DOM text nodes only (chain data is untrusted).

const POLL_MS = 2000;
const HISTORY_MS = 10 * 60 * 1000;
const heights = []; // [{t, h}] kept by this page only, for the height trend
const intervals = new Map(); // height -> ms between blocks

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "class") e.className = v;
    else if (k === "href") {
      if (safeHref(v)) {
        e.href = v;
        e.target = "_blank";
        e.rel = "noopener noreferrer";
      }
    } else e.setAttribute(k, v);
  }
  for (const c of children) if (c !== null && c !== undefined) e.append(c instanceof Node ? c : String(c));
  return e;
}
function safeHref(v) {
  try {
    const u = new URL(v, location.href);
    return u.protocol === "http:" || u.protocol === "https:";
  } catch {
    return false;
  }
}
function svgEl(tag, attrs) {
  const e = document.createElementNS("http://www.w3.org/2000/svg", tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  return e;
}
function nusa(unusa) {
  try {
    const v = BigInt(unusa);
    const whole = v / 1000000n;
    const frac = (v % 1000000n).toString().padStart(6, "0").replace(/0+$/, "");
    return `${whole.toLocaleString("en-US")}${frac ? `.${frac}` : ""} NUSA`;
  } catch {
    return String(unusa);
  }
}
function bytes(n) {
  let v = Number(n);
  const u = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
  let i = 0;
  while (v >= 1024 && i < u.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(v >= 10 || i === 0 ? 0 : 1)} ${u[i]}`;
}
const short = (s, n = 10) => (s && s.length > n * 2 ? `${s.slice(0, n)}…${s.slice(-4)}` : s || "");
const stat = (k, v) => el("div", { class: "stat" }, el("div", { class: "v" }, v), el("div", { class: "k" }, k));
const badge = (text, kind) => el("span", { class: `badge ${kind || ""}` }, text);
function table(headers, rows) {
  const t = el("table");
  t.append(el("tr", {}, ...headers.map((h) => el("th", { class: h.num ? "num" : "" }, h.label || h))));
  for (const r of rows) t.append(el("tr", {}, ...r.map((c, i) => el("td", { class: headers[i].num ? "num" : "" }, c))));
  return t;
}

function sparkline(points, opts) {
  // points: [{x, y}] ; plain inline SVG, no library
  const W = 300,
    H = 90,
    P = 4;
  const svg = svgEl("svg", { viewBox: `0 0 ${W} ${H}`, class: "chart-svg", role: "img", "aria-label": opts.label });
  if (points.length < 2) {
    const t = svgEl("text", { x: 8, y: H / 2, fill: "#8a97a6", "font-size": 12 });
    t.textContent = "collecting samples…";
    svg.append(t);
    return svg;
  }
  const xs = points.map((p) => p.x),
    ys = points.map((p) => p.y);
  const x0 = Math.min(...xs),
    x1 = Math.max(...xs);
  const y0 = opts.zero ? 0 : Math.min(...ys),
    y1 = Math.max(...ys);
  const sx = (x) => P + ((x - x0) / (x1 - x0 || 1)) * (W - 2 * P);
  const sy = (y) => H - P - ((y - y0) / (y1 - y0 || 1)) * (H - 2 * P);
  if (opts.bars) {
    const bw = Math.max(1, (W - 2 * P) / points.length - 1);
    points.forEach((p, i) => {
      svg.append(
        svgEl("rect", { x: P + i * (bw + 1), y: sy(p.y), width: bw, height: H - P - sy(p.y), fill: "#5aa9e6" }),
      );
    });
  } else {
    const d = points.map((p, i) => `${i ? "L" : "M"}${sx(p.x).toFixed(1)},${sy(p.y).toFixed(1)}`).join("");
    svg.append(svgEl("path", { d, fill: "none", stroke: "#3fb27f", "stroke-width": 2 }));
  }
  const label = svgEl("text", { x: W - P, y: 12, fill: "#8a97a6", "font-size": 11, "text-anchor": "end" });
  label.textContent = opts.top(y1);
  svg.append(label);
  return svg;
}

function setPanel(name, content, audit) {
  const sec = document.querySelector(`[data-panel="${name}"]`);
  if (!sec) return;
  sec.querySelector(".body").replaceChildren(...[].concat(content));
  const a = sec.querySelector(".audit");
  a.replaceChildren();
  if (audit?.length) {
    a.append("audit: ");
    audit.forEach((r, i) => {
      if (i) a.append(" · ");
      a.append(
        el("span", {}, `${r.label} `),
        r.href ? el("a", { href: r.href, class: "mono" }, r.text) : el("span", { class: "mono" }, r.text),
      );
    });
  }
  sec.dataset.state = "ready";
}
const errorBox = (msg) => el("div", { class: "error", role: "alert" }, msg);
const notYet = (what) => el("div", { class: "na" }, `not available yet — ${what}`);

const render = {
  chain(d) {
    const now = Date.now();
    heights.push({ t: now, h: Number(d.height) });
    while (heights.length && heights[0].t < now - HISTORY_MS) heights.shift();
    for (const iv of d.blockIntervals) intervals.set(iv.height, iv.ms);
    const keys = [...intervals.keys()].sort((a, b) => a - b);
    while (keys.length > 120) intervals.delete(keys.shift());
    const ivs = keys.map((h) => ({ x: h, y: intervals.get(h) }));
    const avg = ivs.length ? ivs.reduce((s, p) => s + p.y, 0) / ivs.length : 0;
    document.getElementById("headline").textContent = `${d.chainId} · height ${d.height}`;
    return [
      el(
        "div",
        { class: "stats" },
        el(
          "div",
          { class: "stat", id: "chain-height" },
          el("div", { class: "v" }, d.height),
          el("div", { class: "k" }, "height"),
        ),
        stat("chain id", d.chainId),
        stat("avg block time", ivs.length ? `${(avg / 1000).toFixed(2)} s` : "—"),
        stat("last block", new Date(d.time).toLocaleTimeString("en-GB")),
        stat("sync", d.catchingUp ? "catching up" : "in sync"),
      ),
      el(
        "div",
        { class: "charts" },
        el(
          "div",
          { class: "chart" },
          el("div", { class: "k" }, "height, last 10 min (this page's samples)"),
          sparkline(
            heights.map((p) => ({ x: p.t, y: p.h })),
            { label: "height over time", top: (y) => String(y) },
          ),
        ),
        el(
          "div",
          { class: "chart" },
          el("div", { class: "k" }, `block time, last ${ivs.length} blocks`),
          sparkline(ivs, { label: "block time", bars: true, zero: true, top: (y) => `${(y / 1000).toFixed(2)} s` }),
        ),
      ),
    ];
  },
  validators(d) {
    const rows = d.validators.map((v) => {
      const up = v.uptimePpm === null ? "—" : `${(Number(v.uptimePpm) / 10000).toFixed(2)} %`;
      const state = v.tombstoned
        ? badge("tombstoned", "bad")
        : v.jailed
          ? badge("jailed", "bad")
          : badge("bonded", "ok");
      return [
        el("span", { class: "moniker" }, v.moniker),
        el("span", { class: "mono" }, short(v.operator)),
        nusa(v.tokens),
        v.votingPower,
        up,
        state,
      ];
    });
    return [
      el(
        "div",
        { class: "stats" },
        stat("validators", d.validators.length),
        stat("jailed", d.validators.filter((v) => v.jailed).length),
      ),
      el(
        "div",
        { class: "scroll" },
        table(
          [
            "moniker",
            "operator",
            { label: "stake", num: true },
            { label: "power", num: true },
            { label: "uptime", num: true },
            "state",
          ],
          rows,
        ),
      ),
    ];
  },
  da(d) {
    const lag = d.lagMs / 1000;
    return [
      el(
        "div",
        { class: "stats" },
        stat("DA height", d.height),
        stat("head age", `${lag.toFixed(1)} s`),
        stat("status", lag < 30 ? "healthy" : lag < 300 ? "warning" : "degraded"),
      ),
      el("div", { class: "small muted" }, "network ", el("span", { class: "mono" }, d.network)),
    ];
  },
  committee(d) {
    const c = d.committee;
    const out = [
      el(
        "div",
        { class: "stats" },
        stat("epoch", d.epoch === "0" ? "none yet" : d.epoch),
        stat("blocks", d.epoch === "0" ? "—" : `${d.startHeight} → ${d.endHeight}`),
        stat("status", c ? c.status.replace("COMMITTEE_STATUS_", "").toLowerCase() : "—"),
      ),
    ];
    if (c) {
      out.push(el("div", { class: "small" }, `threshold ${c.threshold} of ${c.members.length}`));
      out.push(
        table(
          ["member", { label: "weight", num: true }],
          c.members.map((m) => [el("span", { class: "mono" }, short(m.operator)), nusa(m.weight)]),
        ),
      );
    } else out.push(el("div", { class: "na" }, "no committee selected yet"));
    return out;
  },
  nodes(d) {
    const zones = d.zones.map((z) => [
      z.zone,
      z.nodes,
      z.active,
      d.healthError || d.daHeight === null ? "—" : z.healthy,
      bytes(z.capacityBytes),
    ]);
    const nodes = d.nodes.map((n) => {
      const st = n.status.replace("NODE_STATUS_", "").toLowerCase();
      const h = n.healthy === null ? badge("unknown") : n.healthy ? badge("healthy", "ok") : badge("down", "bad");
      return [
        el("span", { class: "mono" }, short(n.nodeId, 8)),
        n.zone,
        badge(st, st === "active" ? "ok" : st === "pending" ? "warn" : "bad"),
        h,
        n.latencyMs === null ? "—" : `${Number(n.latencyMs).toFixed(1)} ms`,
        n.chunks === null ? "—" : n.chunks,
        bytes(n.capacityBytes),
      ];
    });
    return [
      el(
        "div",
        { class: "stats" },
        stat("nodes", d.nodes.length),
        stat("zones", d.zones.length),
        stat("capacity", bytes(d.zones.reduce((s, z) => s + Number(z.capacityBytes), 0))),
      ),
      d.healthError ? errorBox(`health unknown: ${d.healthError}`) : null,
      d.zones.length
        ? table(
            [
              "zone",
              { label: "nodes", num: true },
              { label: "active", num: true },
              { label: "healthy", num: true },
              { label: "capacity", num: true },
            ],
            zones,
          )
        : el("div", { class: "na" }, "no storage nodes registered"),
      d.nodes.length
        ? el(
            "div",
            { class: "scroll" },
            table(
              [
                "node",
                "zone",
                "status",
                "health",
                { label: "latency", num: true },
                { label: "chunks", num: true },
                { label: "capacity", num: true },
              ],
              nodes,
            ),
          )
        : null,
    ].filter(Boolean);
  },
  rewards(d) {
    const total = (BigInt(d.toNodes) + BigInt(d.toValidators) + BigInt(d.toTreasury)).toString();
    return [
      el(
        "div",
        { class: "stats" },
        stat("paid receipts", d.paidTxs),
        stat("total paid", nusa(total)),
        stat("pending claims", `${d.pendingClaims}${d.pendingAtLeast ? "+" : ""}`),
      ),
      el(
        "div",
        { class: "small muted" },
        `to nodes ${nusa(d.toNodes)} · validators ${nusa(d.toValidators)} · treasury ${nusa(d.toTreasury)}` +
          (Number(d.paidTxs) > d.counted ? ` (sums over the latest ${d.counted})` : ""),
      ),
      d.recent.length
        ? table(
            ["height", "receipt", { label: "amount", num: true }],
            d.recent.map((r) => [r.height, el("span", { class: "mono" }, short(r.receiptId, 8)), nusa(r.amount)]),
          )
        : el("div", { class: "na" }, "no rewards paid yet"),
    ];
  },
  events(d) {
    const off = d.offences.map((o) => [o.height, o.who, badge(o.kind, "bad"), nusa(o.slashed)]);
    return [
      el(
        "div",
        { class: "stats" },
        stat("offences", d.offences.length),
        stat("jailed/cooling", d.jailed.length),
        stat("challenged receipts", d.challengesTotal),
      ),
      off.length
        ? el("div", { class: "scroll" }, table(["height", "who", "kind", { label: "slashed", num: true }], off))
        : el("div", { class: "na" }, "no slashing so far"),
      d.challenges.length
        ? table(
            ["height", "receipt", "challenger"],
            d.challenges.map((c) => [
              c.height,
              el("span", { class: "mono" }, short(c.receiptId, 8)),
              el("span", { class: "mono" }, short(c.challenger)),
            ]),
          )
        : null,
    ].filter(Boolean);
  },
};

function renderModules(p) {
  if (p.status !== "ok") {
    for (const n of ["oracle", "subsidy", "governance", "daFallback"])
      setPanel(n, p.status === "error" ? errorBox(p.error.message) : notYet(p.reason));
    return;
  }
  const d = p.data;
  const paramsView = (m, what) =>
    m.status === "ok"
      ? [
          el("div", { class: "small" }, "module live; params:"),
          el("pre", { class: "mono small" }, JSON.stringify(m.params, null, 1).slice(0, 600)),
        ]
      : notYet(what);
  setPanel("oracle", paramsView(d.oracle, "the chain has no oracle module"), d.oracle.audit ? [d.oracle.audit] : []);
  setPanel(
    "subsidy",
    paramsView(d.subsidy, "the chain has no subsidy module"),
    d.subsidy.audit ? [d.subsidy.audit] : [],
  );
  setPanel(
    "governance",
    d.governance.status === "ok"
      ? d.governance.proposals.length
        ? table(
            ["id", "title", "status"],
            d.governance.proposals.map((x) => [x.id, x.title, x.status.replace("PROPOSAL_STATUS_", "").toLowerCase()]),
          )
        : el("div", { class: "na" }, "no proposals")
      : notYet("the chain has no governance module"),
    d.governance.audit ? [d.governance.audit] : [],
  );
  setPanel("daFallback", notYet("the DA fallback router publishes no state yet"), []);
}

async function poll() {
  try {
    const res = await fetch("/api/v1/panels", { cache: "no-store" });
    if (!res.ok) throw new Error(`dashboard API answered HTTP ${res.status}`);
    const all = await res.json();
    for (const [name, p] of Object.entries(all.panels)) {
      if (name === "modules") {
        renderModules(p);
        continue;
      }
      if (p.status === "ok") {
        try {
          setPanel(name, render[name](p.data), p.audit);
        } catch (e) {
          setPanel(name, errorBox(`cannot show this panel: ${e.message}`), []);
        }
      } else if (p.status === "error") {
        setPanel(name, errorBox(`${p.error.message} (${p.error.code})`), []);
        if (name === "chain") document.getElementById("headline").textContent = "chain RPC not answering";
      } else setPanel(name, notYet(p.reason), []);
    }
    document.getElementById("updated").textContent =
      `updated ${new Date(all.generatedAt).toLocaleTimeString("en-GB")} · RPC ${all.sources.rpc}`;
  } catch (e) {
    document
      .getElementById("updated")
      .replaceChildren(el("span", { class: "error" }, `dashboard server unreachable: ${e.message}`));
  } finally {
    setTimeout(poll, POLL_MS);
  }
}
poll();
