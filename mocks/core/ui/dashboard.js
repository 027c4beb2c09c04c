// The mocks dashboard: polls the mock's /__admin/ui/* JSON routes and draws what they say.
// Plain DOM code, no library: every value from the traffic goes in as text, never as HTML.
"use strict";
(() => {
  const POLL_MS = 700;
  const KEEP = 2000; // records kept in the page; older ones drop off the list
  const SHOWN = 1000; // rows drawn at most
  const STATUS = /^([1-5][0-9][0-9]|[1-5]xx|pending)$/;

  const params = new URLSearchParams(location.search);
  const token = params.get("access_token");
  const base = location.pathname.replace(/\/+$/, "");
  const $ = (id) => document.getElementById(id);

  const state = {
    records: new Map(),
    last: 0,
    epoch: null,
    key: null,
    selected: null,
    paused: false,
    view: "traffic",
    seen: new Set(),
    mermaid: "",
    timer: null,
  };

  // ---- helpers -------------------------------------------------------------------

  function el(tag, attributes, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (name === "class") node.className = value;
      else if (name === "text") node.textContent = value;
      else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
      else node.setAttribute(name, value === true ? "" : String(value));
    }
    for (const child of children.flat()) {
      if (child === null || child === undefined || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  async function api(path, options = {}) {
    const headers = Object.assign({}, options.headers || {});
    if (token) headers.Authorization = "Bearer " + token;
    const response = await fetch(base + path, Object.assign({}, options, { headers }));
    if (!response.ok) {
      let message = "HTTP " + response.status;
      try {
        message = (await response.json()).error.message;
      } catch (ignored) {
        // not the admin API's error envelope
      }
      throw new Error(message);
    }
    return response;
  }

  function query(values) {
    const search = new URLSearchParams();
    for (const [name, value] of Object.entries(values)) {
      if (value !== "" && value !== null && value !== undefined) search.set(name, value);
    }
    return search.toString();
  }

  function clock(seconds) {
    const at = new Date(seconds * 1000);
    const two = (n) => String(n).padStart(2, "0");
    return `${two(at.getHours())}:${two(at.getMinutes())}:${two(at.getSeconds())}.${String(at.getMilliseconds()).padStart(3, "0")}`;
  }

  function statusClass(status) {
    return "status s" + (status ? String(status)[0] : "0");
  }

  function pretty(part) {
    if (part.is_json) return JSON.stringify(part.json, null, 2);
    return part.body;
  }

  function download(name, blob) {
    const link = el("a", { href: URL.createObjectURL(blob), download: name });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 10000);
  }

  // ---- filters -------------------------------------------------------------------

  function filters() {
    const status = $("filter-status").value.trim();
    $("filter-status").classList.toggle("invalid", status !== "" && !STATUS.test(status));
    return {
      mock: $("filter-mock").value,
      path: $("filter-path").value.trim(),
      status: STATUS.test(status) ? status : "",
      test: $("filter-test").value,
    };
  }

  function keepInAddress(current) {
    const search = new URLSearchParams(query(current));
    if (token) search.set("access_token", token);
    const text = search.toString();
    history.replaceState(null, "", location.pathname + (text ? "?" + text : ""));
  }

  function options(select, values, label) {
    const chosen = select.value;
    const wanted = ["", ...values];
    if (chosen && !wanted.includes(chosen)) wanted.push(chosen);
    const have = [...select.options].map((o) => o.value);
    if (have.join("\n") === wanted.join("\n")) return;
    select.replaceChildren(...wanted.map((v) => el("option", { value: v, text: v ? label(v) : "all" })));
    select.value = chosen;
  }

  // ---- polling -------------------------------------------------------------------

  function startOver() {
    state.records.clear();
    state.last = 0;
    state.seen.clear();
  }

  async function poll() {
    const current = filters();
    const key = JSON.stringify(current);
    let changed = false;
    if (key !== state.key) {
      state.key = key;
      startOver();
      keepInAddress(current);
      changed = true;
    }
    const open = [...state.records.values()].filter((r) => r.open).map((r) => r.id).slice(0, 500);
    const data = await (await api("/traffic?" + query(Object.assign({}, current, {
      after: state.last,
      open: open.join(","),
    })))).json();
    if (state.epoch !== null && data.epoch !== state.epoch) {
      state.epoch = data.epoch;
      startOver();
      state.selected = null;
      showHint();
      await poll();
      return true;
    }
    state.epoch = data.epoch;
    for (const record of data.records) {
      const before = state.records.get(record.id);
      if (!before || JSON.stringify(before) !== JSON.stringify(record)) changed = true;
      state.records.set(record.id, record);
    }
    state.last = Math.max(state.last, data.last);
    trim();
    options($("filter-mock"), data.mocks.map((m) => m.service), (v) => v);
    options($("filter-test"), data.tests, (v) => (v === data.current_test ? v + " (running)" : v));
    $("count").textContent = `${data.total} shown`;
    return changed;
  }

  function trim() {
    if (state.records.size <= KEEP) return;
    const ids = [...state.records.keys()].sort((a, b) => a - b);
    for (const id of ids.slice(0, ids.length - KEEP)) state.records.delete(id);
  }

  function setLive(ok, text) {
    const live = $("live");
    live.className = ok ? (state.paused ? "" : "on") : "off";
    $("live-text").textContent = text;
  }

  async function tick() {
    try {
      const first = state.epoch === null;
      const changed = await poll();
      setLive(true, state.paused ? "paused" : "live");
      if (changed || first) {
        renderRows();
        if (state.view === "sequence") await refreshSequence();
        if (state.selected !== null && state.records.has(state.selected)) await openRecord(state.selected, false);
      }
      if (changed || first || state.view === "verify") await refreshVerify();
    } catch (error) {
      setLive(false, "offline: " + error.message);
    }
  }

  function schedule() {
    clearTimeout(state.timer);
    state.timer = setTimeout(async () => {
      if (!state.paused) await tick();
      schedule();
    }, POLL_MS);
  }

  // ---- the list ------------------------------------------------------------------

  function sorted() {
    return [...state.records.values()].sort((a, b) => b.at - a.at || b.id - a.id);
  }

  function renderRows() {
    const initial = state.seen.size === 0;
    const rows = sorted().slice(0, SHOWN).map((record) => {
      const problem = record.unmatched || record.violations > 0 || record.outcome.startsWith("fault") || record.outcome === "failed";
      const classes = [
        problem ? "problem" : "",
        record.unmatched ? "unmatched" : "",
        record.id === state.selected ? "selected" : "",
        record.kind,
        initial || state.seen.has(record.id) ? "" : "fresh",
      ];
      const flags = record.violations ? el("span", { class: "warn-flag", title: "contract violations", text: `⚠ ${record.violations}` }) : null;
      return el(
        "tr",
        { class: classes.filter(Boolean).join(" "), "data-id": record.id, onclick: () => openRecord(record.id, true) },
        el("td", { class: "time", text: clock(record.at) }),
        el("td", { class: "mock", title: record.kind === "callback" ? "a callback the mock sent" : null, text: record.mock }),
        el("td", { class: "method", text: record.method }),
        el("td", { class: "path", title: record.url, text: record.kind === "callback" ? record.path : record.url }),
        el("td", { class: statusClass(record.status), text: record.status === null ? "…" : record.status }),
        el("td", { class: "outcome" }, record.outcome, record.streamed ? el("span", { class: "tag", text: "stream" }) : null, flags),
        el("td", { class: "test", title: record.test || "", text: shortTest(record.test) }),
      );
    });
    for (const record of state.records.values()) state.seen.add(record.id);
    $("rows").replaceChildren(...rows);
    $("empty").hidden = rows.length > 0;
  }

  function shortTest(name) {
    if (!name) return "";
    const parts = name.split("::");
    return parts[parts.length - 1];
  }

  // ---- one record ----------------------------------------------------------------

  function showHint() {
    $("detail").replaceChildren(el("p", { class: "hint", text: "Select a request to see the request, the response, the expectation it matched or its near miss, and any contract violation." }));
  }

  function headersTable(headers) {
    // a name sent more than once (Set-Cookie) comes as a list: one row a line
    const rows = Object.entries(headers || {}).flatMap(([name, value]) => (Array.isArray(value) ? value : [value]).map((line) => el("tr", {}, el("td", { text: name }), el("td", { text: line }))));
    return rows.length ? el("table", { class: "kv headers" }, rows) : el("p", { class: "hint", text: "no headers" });
  }

  function bodyBlock(part) {
    if (!part.body) return el("p", { class: "hint", text: "empty body" });
    return el("pre", { class: part.is_json ? "body json" : "body" , text: pretty(part) });
  }

  function eventsBlock(events) {
    return el(
      "div",
      { class: "events" },
      el("p", { class: "hint", text: `${events.length} event(s), in the order written` }),
      events.map((event, index) =>
        el("div", { class: "event" }, el("div", { class: "name", text: `#${index + 1}${event.event ? " " + event.event : ""}` }), el("pre", { text: pretty(event) })),
      ),
    );
  }

  function problemsBlock(record) {
    const blocks = [];
    if (record.violation_list && record.violation_list.length) {
      blocks.push(el("div", { class: "box problem violations" }, el("strong", { text: "Contract violations" }), el("ul", {}, record.violation_list.map((v) => el("li", { text: v })))));
    }
    if (record.near_miss) {
      const near = record.near_miss;
      const rows = (near.differences || []).map((d) => el("tr", {}, el("td", { text: d.field }), el("td", { class: "expected", text: d.expected }), el("td", { class: "actual", text: d.actual })));
      blocks.push(
        el(
          "div",
          { class: "box problem near-miss" },
          el("strong", { text: "No expectation matched" }),
          near.nearest
            ? el("p", {}, "Nearest expectation: ", el("code", { text: near.description || near.nearest }))
            : el("p", { text: "No expectations were registered." }),
          rows.length ? el("table", { class: "kv diff" }, el("tr", {}, el("td", { text: "field" }), el("td", { text: "expected" }), el("td", { text: "got" })), rows) : null,
        ),
      );
    }
    return blocks;
  }

  function requestDetail(record) {
    const response = record.response;
    return [
      el("h2", { text: `${record.method} ${record.url}` }),
      el("div", { class: "meta" },
        el("span", { class: "mock", text: record.mock }),
        el("span", { class: statusClass(record.status), text: record.status === null ? "no answer" : record.status }),
        el("span", { text: record.outcome }),
        record.duration_ms !== null ? el("span", { text: `${record.duration_ms.toFixed(1)} ms` }) : null,
        el("span", { text: clock(record.at) }),
        record.test ? el("span", { title: record.test, text: "test " + shortTest(record.test) }) : null,
      ),
      problemsBlock(record),
      record.expectation
        ? el("div", { class: "box matched" }, el("strong", { text: "Matched expectation " }), el("code", { text: record.expectation.description || record.expectation.id }))
        : record.route ? el("div", { class: "box" }, "Answered by the mock's default behaviour: route ", el("code", { text: record.route })) : null,
      record.fault ? el("div", { class: "box problem" }, el("strong", { text: "Fault " }), record.fault) : null,
      el("h3", { text: "Request" }),
      headersTable(record.request.headers),
      bodyBlock(record.request),
      record.request.body_sha256
        ? el("p", { class: "hint truncated", text: `Kept truncated: the whole body was ${record.request.body_size} bytes, SHA-256 ${record.request.body_sha256}.` })
        : null,
      el("h3", { text: "Response" }),
      response
        ? [el("p", {}, el("span", { class: statusClass(response.status), text: response.status })), headersTable(response.headers), response.events ? eventsBlock(response.events) : bodyBlock(response)]
        : el("p", { class: "hint", text: "No response was written." }),
    ];
  }

  function callbackDetail(record) {
    return [
      el("h2", { text: `${record.method} ${record.url}` }),
      el("div", { class: "meta" },
        el("span", { class: "mock", text: record.mock + " → system under test" }),
        el("span", { text: record.outcome }),
        el("span", { text: `${record.attempts.length} attempt(s)` }),
        record.test ? el("span", { title: record.test, text: "test " + shortTest(record.test) }) : null,
      ),
      el("h3", { text: "Callback sent" }),
      headersTable(record.request.headers),
      bodyBlock(record.request),
      el("h3", { text: "Attempts" }),
      record.attempts.map((attempt) =>
        el("div", { class: attempt.status !== null && attempt.status < 300 ? "box" : "box problem" },
          el("strong", { text: `#${attempt.number} ` }),
          attempt.status !== null ? el("span", { class: statusClass(attempt.status), text: attempt.status }) : el("span", { text: attempt.error }),
          ` ${attempt.duration_ms.toFixed(1)} ms`,
          attempt.body ? bodyBlock(attempt) : null,
        ),
      ),
    ];
  }

  async function openRecord(id, scroll) {
    state.selected = id;
    for (const row of $("rows").children) row.classList.toggle("selected", Number(row.dataset.id) === id);
    try {
      const record = await (await api("/traffic/" + id)).json();
      if (state.selected !== id) return;
      const detail = $("detail");
      const keep = detail.scrollTop;
      detail.replaceChildren(...[record.kind === "callback" ? callbackDetail(record) : requestDetail(record)].flat(3).filter(Boolean));
      if (!scroll) detail.scrollTop = keep;
    } catch (error) {
      $("detail").replaceChildren(el("p", { class: "hint", text: "Cannot show it: " + error.message }));
    }
  }

  // ---- the sequence diagram --------------------------------------------------------

  const SVG = "http://www.w3.org/2000/svg";
  function svg(tag, attributes, ...children) {
    const node = document.createElementNS(SVG, tag);
    for (const [name, value] of Object.entries(attributes || {})) {
      if (value !== null && value !== undefined) node.setAttribute(name, String(value));
    }
    for (const child of children.flat()) if (child) node.append(child);
    return node;
  }

  function label(text, x, y, limit) {
    const short = text.length > limit ? text.slice(0, limit - 1) + "…" : text;
    const node = svg("text", { x, y, "text-anchor": "middle" });
    node.textContent = short;
    const title = svg("title");
    title.textContent = text;
    node.append(title);
    return node;
  }

  function drawDiagram(diagram) {
    const gap = 240;
    const left = 110;
    const top = 56;
    const row = 30;
    const where = new Map(diagram.participants.map((p, i) => [p.id, left + i * gap]));
    const width = left + (diagram.participants.length - 1) * gap + 220;
    const height = top + diagram.steps.length * row + 40;
    const limit = Math.floor(gap / 7.2);
    const marker = (id, path, fill) => svg("marker", { id, viewBox: "0 0 10 10", refX: 9, refY: 5, markerWidth: 8, markerHeight: 8, orient: "auto-start-reverse" }, svg("path", { d: path, fill, stroke: fill }));
    const defs = svg("defs", {},
      marker("arrow", "M0,0 L10,5 L0,10 z", "#43506a"),
      marker("arrow-problem", "M0,0 L10,5 L0,10 z", "#c8322b"),
      marker("arrow-callback", "M0,0 L10,5 L0,10", "#7a3fc4"),
      marker("cross", "M1,1 L9,9 M9,1 L1,9", "#c8322b"),
    );
    const heads = diagram.participants.map((p) => {
      const x = where.get(p.id);
      return svg("g", { class: "participant" + (p.id === "sut" ? " sut" : ""), "data-participant": p.id },
        svg("line", { class: "lifeline", x1: x, y1: 40, x2: x, y2: height - 10 }),
        svg("rect", { x: x - 90, y: 8, width: 180, height: 30, rx: 6 }),
        label(p.label, x, 28, 24));
    });
    const steps = diagram.steps.map((step, index) => {
      const y = top + index * row + 16;
      const classes = ["step", step.kind, step.problem ? "problem" : ""].filter(Boolean).join(" ");
      const group = svg("g", { class: classes, "data-record": step.record, "data-kind": step.kind });
      if (step.kind === "note") {
        const x = where.get(step.target);
        const wide = Math.min(gap * 1.6, 420);
        group.append(svg("rect", { x: x - wide / 2, y: y - 14, width: wide, height: 22, rx: 3 }), label(step.text, x, y + 1, Math.floor(wide / 7.2)));
      } else {
        const x1 = where.get(step.source);
        const x2 = where.get(step.target);
        const end = step.lost ? "cross" : step.problem ? "arrow-problem" : step.kind === "callback" ? "arrow-callback" : "arrow";
        const toward = x2 > x1 ? -1 : 1;
        const room = Math.max(limit, Math.floor((Math.abs(x2 - x1) - 16) / 7.2));
        group.append(svg("line", { x1, y1: y + 6, x2: x2 + toward * 2, y2: y + 6, "marker-end": `url(#${end})` }), label(step.text, (x1 + x2) / 2, y, room));
      }
      if (step.record !== null) {
        group.addEventListener("click", () => {
          show("traffic");
          openRecord(step.record, true);
        });
      }
      return group;
    });
    return svg("svg", { width, height, viewBox: `0 0 ${width} ${height}`, role: "img", "aria-label": "sequence diagram" }, defs, heads, steps);
  }

  async function refreshSequence() {
    try {
      const diagram = await (await api("/sequence?" + query(filters()))).json();
      state.mermaid = diagram.mermaid;
      $("mermaid").textContent = diagram.mermaid;
      const count = diagram.steps.filter((s) => s.kind === "request" || s.kind === "callback").length;
      $("sequence-info").textContent = `${diagram.participants.length - 1} mock(s), ${count} call(s)` + (filters().test ? ` in ${shortTest(filters().test)}` : "");
      $("diagram").replaceChildren(diagram.steps.length ? drawDiagram(diagram) : el("p", { class: "hint", text: "No traffic to draw for this filter." }));
    } catch (error) {
      $("diagram").replaceChildren(el("p", { class: "hint", text: "Cannot draw: " + error.message }));
    }
  }

  // ---- verify, reset, cassettes ------------------------------------------------------

  async function refreshVerify() {
    try {
      const data = await (await api("/verify")).json();
      const failing = data.mocks.filter((m) => !m.ok).length;
      const badge = $("verify-badge");
      badge.textContent = failing ? String(failing) : "✓";
      badge.className = "badge " + (failing ? "bad" : "ok");
      $("reports").replaceChildren(...data.mocks.map((mock) =>
        el("article", { class: "report" + (mock.ok ? "" : " failing"), "data-mock": mock.service },
          el("header", {},
            el("h2", { text: mock.service }),
            el("span", { class: "url", text: mock.url }),
            el("span", { class: "actions" },
              el("button", { type: "button", class: "download", text: "Download cassette", onclick: () => downloadCassette(mock.service) }),
              el("button", { type: "button", class: "danger", text: "Reset", onclick: () => reset(mock.service) }))),
          el("div", { class: "verdict " + (mock.ok ? "ok" : "bad"), text: mock.ok ? "verify() passes" : "verify() would fail" }),
          mock.ok ? null : el("pre", { text: mock.report }))));
    } catch (error) {
      $("reports").replaceChildren(el("p", { class: "hint", text: "Cannot verify: " + error.message }));
    }
  }

  async function reset(mock) {
    try {
      await api("/reset", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(mock ? { mock } : {}) });
      startOver();
      state.selected = null;
      showHint();
      await tick();
      await refreshVerify();
    } catch (error) {
      setLive(false, "reset failed: " + error.message);
    }
  }

  async function downloadCassette(mock) {
    try {
      const response = await api("/cassette?" + query({ mock, test: filters().test }));
      download(`${mock}-cassette.json`, await response.blob());
    } catch (error) {
      setLive(false, "download failed: " + error.message);
    }
  }

  // ---- wiring ----------------------------------------------------------------------

  function show(view) {
    state.view = view;
    for (const button of $("tabs").children) button.classList.toggle("active", button.dataset.view === view);
    for (const section of document.querySelectorAll(".view")) section.classList.toggle("active", section.id === "view-" + view);
    if (view === "sequence") refreshSequence();
    if (view === "verify") refreshVerify();
  }

  function init() {
    for (const name of ["mock", "path", "status", "test"]) {
      const input = $("filter-" + name);
      const value = params.get(name);
      if (value) {
        if (input.tagName === "SELECT") input.append(el("option", { value, text: value }));
        input.value = value;
      }
      let pending = null;
      input.addEventListener(input.tagName === "SELECT" ? "change" : "input", () => {
        clearTimeout(pending);
        pending = setTimeout(tick, 200);
      });
    }
    for (const button of $("tabs").children) button.addEventListener("click", () => show(button.dataset.view));
    $("pause").addEventListener("click", () => {
      state.paused = !state.paused;
      $("pause").textContent = state.paused ? "Resume" : "Pause";
      setLive(true, state.paused ? "paused" : "live");
    });
    $("reset-all").addEventListener("click", () => reset(null));
    $("copy-mermaid").addEventListener("click", async () => {
      try {
        await navigator.clipboard.writeText(state.mermaid);
        $("sequence-info").textContent = "Mermaid text copied";
      } catch (ignored) {
        $("mermaid-box").open = true;
        getSelection().selectAllChildren($("mermaid"));
      }
    });
    $("download-mermaid").addEventListener("click", () => download("sequence.mmd", new Blob([state.mermaid], { type: "text/plain" })));
    tick().then(schedule);
  }

  init();
})();
