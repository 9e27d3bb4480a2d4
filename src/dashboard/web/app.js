// The dashboard's pages (jobs, a job, simulate), drawn with d3 (v3, Debian's
// libjs-d3) from the JSON the server answers; the live parts poll it.
(function () {
  "use strict";
  var TOKEN = document.querySelector('meta[name="spotrun-token"]').content;
  var PAGE = document.querySelector('meta[name="spotrun-page"]').content;
  var POLL_MS = 1500;
  var main = d3.select("#main");

  // The token came as ?token= and is now in the HttpOnly cookie: keep it out
  // of the address bar and the history.
  if (location.search.indexOf("token=") >= 0) history.replaceState(null, "", location.pathname);

  function api(path, options) {
    return fetch(path, options || {credentials: "same-origin"}).then(function (r) {
      if (!r.ok) {
        return r.text().then(function (t) {
          var e = new Error(path + ": " + r.status + " " + t);
          e.status = r.status;
          throw e;
        });
      }
      return r.json();
    });
  }
  function report(e) { window.spotrunError(String(e && e.message ? e.message : e)); }
  function stamp() { d3.select("#updated").text("updated " + new Date().toLocaleTimeString()); }
  function money(v) { return v == null ? "" : "$" + v.toFixed(v < 0.01 ? 6 : v < 1 ? 4 : 2); }
  function percent(v) { return v == null ? "" : Math.round(v * 100) + "%"; }
  // Times on an axis: seconds, minutes or hours after t0, whichever suits `span` seconds.
  function unitFor(span) {
    return span < 600 ? {name: "s", div: 1} : span < 36000 ? {name: "min", div: 60} : {name: "h", div: 3600};
  }
  function since(t0, unit) { return function (t) { return (t - t0) / unit.div; }; }
  function utc(t) { return new Date(t * 1000).toISOString().replace("T", " ").slice(0, 19) + " UTC"; }
  function every(ms, f) { f(); return setInterval(f, ms); }

  // An SVG with margins: returns {g, w, h}.
  function frame(parent, id, width, height, left) {
    parent.select("#" + id).remove();
    var m = {top: 10, right: 20, bottom: 30, left: left || 60};
    var svg = parent.append("svg").attr("id", id).attr("width", width).attr("height", height);
    var g = svg.append("g").attr("transform", "translate(" + m.left + "," + m.top + ")");
    return {svg: svg, g: g, w: width - m.left - m.right, h: height - m.top - m.bottom};
  }
  function axes(f, x, y, xLabel, yLabel) {
    f.g.append("g").attr("class", "axis").attr("transform", "translate(0," + f.h + ")")
      .call(d3.svg.axis().scale(x).orient("bottom").ticks(6));
    f.g.append("g").attr("class", "axis").call(d3.svg.axis().scale(y).orient("left").ticks(5));
    f.g.append("text").attr("class", "label").attr("x", f.w).attr("y", f.h - 4)
      .attr("text-anchor", "end").text(xLabel);
    f.g.append("text").attr("class", "label").attr("x", 4).attr("y", 10).text(yLabel);
  }

  // ---- jobs ----
  var JOB_COLUMNS = [
    ["id", function (j) { return j.id; }], ["name", function (j) { return j.name; }],
    ["state", function (j) { return j.state; }], ["cloud", function (j) { return j.cloud; }],
    ["type", function (j) { return j.instance_type; }], ["zone", function (j) { return j.zone; }],
    ["market", function (j) { return j.market; }], ["progress", function (j) { return percent(j.progress); }],
    ["attempts", function (j) { return j.attempts; }], ["preempted", function (j) { return j.preemptions; }],
    ["cost", function (j) { return money(j.cost_usd); }],
    ["on-demand", function (j) { return money(j.on_demand_cost_usd); }],
    ["saved", function (j) { return j.on_demand_cost_usd > 0 ? Math.round(j.saving_percent) + "%" : ""; }]];

  function jobsPage() {
    main.append("h1").text("Jobs");
    var table = main.append("table").attr("id", "jobs");
    table.append("thead").append("tr").selectAll("th").data(JOB_COLUMNS).enter()
      .append("th").text(function (c) { return c[0]; });
    var body = table.append("tbody");
    main.append("p").attr("id", "no-jobs").attr("class", "note");
    every(POLL_MS, function () {
      api("/api/jobs").then(function (doc) {
        var rows = body.selectAll("tr.job-row").data(doc.jobs, function (j) { return j.id; });
        rows.enter().append("tr").attr("class", "job-row");
        rows.exit().remove();
        rows.attr("data-id", function (j) { return j.id; })
          .attr("data-state", function (j) { return j.state; });
        var cells = rows.selectAll("td").data(function (j) {
          return JOB_COLUMNS.map(function (c) { return {col: c[0], job: j, text: c[1](j)}; });
        });
        cells.enter().append("td");
        cells.attr("class", function (c) { return c.col === "state" ? "state state-" + c.text : c.col; });
        cells.each(function (c) {
          var td = d3.select(this).text("");
          if (c.col === "id") td.append("a").attr("href", "/jobs/" + c.job.id).text(c.text);
          else td.text(c.text);
        });
        d3.select("#no-jobs").text(doc.jobs.length ? "" : "No jobs yet: `spotrun launch FILE` starts one.");
        stamp();
      }).catch(report);
    });
  }

  // ---- a job ----
  function drawTimeline(parent, job) {
    var f = frame(parent, "timeline", 900, 110);
    var t0 = job.created_at, t1 = Math.max(job.now, t0 + 1);
    if (job.finished) t1 = Math.max(job.updated_at, t0 + 1);
    var unit = unitFor(t1 - t0), rel = since(t0, unit);
    var x = d3.scale.linear().domain([0, rel(t1)]).range([0, f.w]);
    f.g.selectAll("rect.bar").data(job.timeline).enter().append("rect")
      .attr("class", function (b) { return "bar bar-" + b.kind; })
      .attr("data-kind", function (b) { return b.kind; })
      .attr("x", function (b) { return x(rel(b.start)); })
      .attr("width", function (b) { return Math.max(1, x(rel(b.end)) - x(rel(b.start))); })
      .attr("y", 18).attr("height", 34)
      .append("title").text(function (b) {
        return (b.attempt ? "attempt " + b.attempt + ": " : "") + b.kind + ", " +
          Math.round(b.end - b.start) + " s";
      });
    f.g.selectAll("text.bar-label").data(job.timeline.filter(function (b) { return b.attempt; }))
      .enter().append("text").attr("class", "bar-label")
      .attr("x", function (b) { return x(rel(b.start)) + 3; }).attr("y", 40)
      .text(function (b) { return "#" + b.attempt + " " + b.kind; });
    var phases = job.phases.filter(function (p) { return p.at >= t0 && p.at <= t1; });
    f.g.selectAll("line.phase").data(phases).enter().append("line").attr("class", "phase")
      .attr("x1", function (p) { return x(rel(p.at)); }).attr("x2", function (p) { return x(rel(p.at)); })
      .attr("y1", 4).attr("y2", 64)
      .append("title").text(function (p) { return p.kind + " " + p.detail; });
    f.g.append("g").attr("class", "axis").attr("transform", "translate(0,70)")
      .call(d3.svg.axis().scale(x).orient("bottom").ticks(8));
    f.g.append("text").attr("class", "label").attr("x", f.w).attr("y", 66).attr("text-anchor", "end")
      .text(unit.name + " since submitted");
  }

  function drawCost(parent, job) {
    var pts = job.cost_series;
    var f = frame(parent, "cost", 440, 240, 75);
    if (!pts.length) { f.g.append("text").attr("y", 20).text("no attempt has started yet"); return; }
    var t0 = pts[0].at, unit = unitFor(pts[pts.length - 1].at - t0), rel = since(t0, unit);
    var x = d3.scale.linear().domain([0, Math.max(rel(pts[pts.length - 1].at), 0.01)]).range([0, f.w]);
    var top = d3.max(pts, function (p) { return Math.max(p.cost, p.on_demand); }) || 1e-6;
    var y = d3.scale.linear().domain([0, top * 1.1]).range([f.h, 0]);
    axes(f, x, y, unit.name + " (dashed: on-demand)", "USD");
    var line = function (key) {
      return d3.svg.line().x(function (p) { return x(rel(p.at)); }).y(function (p) { return y(p[key]); });
    };
    f.g.append("path").attr("class", "line on-demand-line").attr("d", line("on_demand")(pts));
    f.g.append("path").attr("class", "line cost-line").attr("d", line("cost")(pts));
    f.g.selectAll("circle.cost-point").data(pts).enter().append("circle").attr("class", "cost-point")
      .attr("r", 3).attr("cx", function (p) { return x(rel(p.at)); }).attr("cy", function (p) { return y(p.cost); })
      .append("title").text(function (p) { return money(p.cost) + " (on-demand " + money(p.on_demand) + ")"; });
  }

  function drawProgress(parent, job) {
    var pts = job.progress_history;
    var f = frame(parent, "progress", 440, 240);
    if (!pts.length && job.deadline_at == null) {
      f.g.append("text").attr("y", 20).text("the job reports no progress and has no deadline");
      return;
    }
    var t0 = job.created_at;
    var end = Math.max(job.deadline_at || 0, job.finished ? job.updated_at : job.now, t0 + 10);
    var unit = unitFor(end - t0), rel = since(t0, unit);
    var x = d3.scale.linear().domain([0, rel(end)]).range([0, f.w]);
    var y = d3.scale.linear().domain([0, 1]).range([f.h, 0]);
    axes(f, x, y, unit.name + " since submitted", "done");
    if (job.deadline_at != null) {
      f.g.append("line").attr("class", "deadline").attr("x1", x(rel(job.deadline_at)))
        .attr("x2", x(rel(job.deadline_at))).attr("y1", 0).attr("y2", f.h);
      f.g.append("line").attr("class", "pace").attr("x1", 0).attr("y1", y(0))
        .attr("x2", x(rel(job.deadline_at))).attr("y2", y(1));
      f.g.append("text").attr("class", "label").attr("x", x(rel(job.deadline_at)) - 4).attr("y", 22)
        .attr("text-anchor", "end").text("deadline " + utc(job.deadline_at));
    }
    var line = d3.svg.line().interpolate("step-after")
      .x(function (p) { return x(rel(p.at)); }).y(function (p) { return y(p.fraction); });
    f.g.append("path").attr("class", "line progress-line").attr("d", line(pts));
    f.g.selectAll("circle.progress-point").data(pts).enter().append("circle")
      .attr("class", "progress-point").attr("r", 2.5)
      .attr("cx", function (p) { return x(rel(p.at)); }).attr("cy", function (p) { return y(p.fraction); });
  }

  function drawPhases(parent, job) {
    parent.select("#phases").remove();
    var table = parent.append("table").attr("id", "phases");
    table.append("thead").append("tr").selectAll("th").data(["at", "+s", "event", "detail"]).enter()
      .append("th").text(String);
    var rows = table.append("tbody").selectAll("tr").data(job.phases).enter().append("tr");
    rows.append("td").text(function (p) { return utc(p.at); });
    rows.append("td").text(function (p) { return Math.round(p.at - job.created_at); });
    rows.append("td").attr("class", function (p) { return "event event-" + p.kind; })
      .text(function (p) { return p.kind; });
    rows.append("td").text(function (p) { return p.detail; });
  }

  function drawSummary(parent, job) {
    parent.select("#summary").remove();
    var s = parent.insert("p", ":first-child").attr("id", "summary");
    s.append("span").attr("class", "state state-" + job.state).attr("id", "job-state").text(job.state);
    s.append("span").text(" " + job.cloud + " " + job.instance_type + " " + job.market + " in " +
      job.zone + "; " + job.attempts + " attempt(s), " + job.preemptions + " preempted; cost " +
      money(job.cost_usd) + " against " + money(job.on_demand_cost_usd) + " on demand" +
      (job.progress != null ? "; " + percent(job.progress) + " done" : "") +
      (job.message ? "; " + job.message : ""));
  }

  function cancelButton(parent, id) {
    var button = parent.append("button").attr("id", "cancel").text("Cancel job");
    var note = parent.append("span").attr("id", "cancel-note").attr("class", "note");
    button.on("click", function () {
      if (!window.confirm("Cancel job " + id + "? Its outputs so far are kept.")) return;
      button.attr("disabled", true);
      api("/api/jobs/" + id + "/cancel", {method: "POST", credentials: "same-origin",
        headers: {"X-Spotrun-Token": TOKEN}})
        .then(function () { note.text(" cancel requested"); }).catch(report);
    });
    return button;
  }

  function drawMarket(parent, m) {
    parent.text("");
    if (!m.zone) { parent.append("p").text("no attempt has started yet"); return; }
    var t = m.trace;
    var what = t.match === "zone" ? "the bundled trace of this zone, " + t.name
      : t.match === "region" ? "a bundled trace of the same region (" + t.name + "): no bundled trace " +
        "records " + m.zone + " itself (traces are named by zone name, attempts by AZ id)"
      : "no bundled trace covers region " + m.region;
    parent.append("p").attr("class", "note").attr("id", "market-source")
      .text("Spot availability: " + what + ". Prices of the zones: " + m.price_source + "; and the prices the attempts were billed.");
    if (t.points) {
      var f = frame(parent, "availability", 900, 170);
      var x = d3.scale.linear().domain([0, t.hours]).range([0, f.w]);
      var y = d3.scale.linear().domain([0, 1]).range([f.h, 0]);
      var area = d3.svg.area().interpolate("step-after").x(function (p) { return x(p.hours); })
        .y0(f.h).y1(function (p) { return y(p.available); });
      f.g.append("path").attr("class", "availability").attr("d", area(t.points));
      axes(f, x, y, "hours into the trace (" + Math.round(t.available_fraction * 100) + "% available)",
        "spot available");
    }
    var table = parent.append("table").attr("id", "prices");
    table.append("thead").append("tr").selectAll("th")
      .data(["zone (" + m.instance_type + ")", "spot $/h", "on-demand $/h", ""]).enter().append("th").text(String);
    var rows = table.append("tbody").selectAll("tr").data(m.catalog).enter().append("tr");
    rows.append("td").text(function (z) { return z.zone; });
    rows.append("td").text(function (z) { return z.spot_price == null ? "no spot" : z.spot_price.toFixed(4); });
    rows.append("td").text(function (z) { return z.on_demand_price.toFixed(4); });
    rows.append("td").text(function (z) { return z.zone === m.zone ? "this job's zone" : ""; });
    var paid = parent.append("table").attr("id", "paid");
    paid.append("thead").append("tr").selectAll("th")
      .data(["attempt", "market", "zone", "billed $/h", "on-demand $/h"]).enter().append("th").text(String);
    var prow = paid.append("tbody").selectAll("tr").data(m.paid).enter().append("tr");
    prow.append("td").text(function (a) { return a.attempt; });
    prow.append("td").text(function (a) { return a.market; });
    prow.append("td").text(function (a) { return a.zone; });
    prow.append("td").text(function (a) { return a.price_per_hour.toFixed(4); });
    prow.append("td").text(function (a) { return a.on_demand_price_per_hour.toFixed(4); });
  }

  function tailLog(pre, id) {
    var offset = -1, timer = null;
    function poll() {
      api("/api/jobs/" + id + "/log" + (offset >= 0 ? "?offset=" + offset : "")).then(function (c) {
        var node = pre.node();
        var atBottom = node.scrollTop + node.clientHeight >= node.scrollHeight - 4;
        if (c.text) node.appendChild(document.createTextNode(c.text));
        pre.attr("data-bytes", c.end);
        offset = c.end;
        if (atBottom) node.scrollTop = node.scrollHeight;
        if (c.finished && timer !== null && c.text === "") { clearInterval(timer); timer = null; }
      }).catch(function (e) {
        if (e.status === 404 && timer !== null) { clearInterval(timer); timer = null; }
        report(e);
      });
    }
    timer = every(POLL_MS, poll);
  }

  function jobPage() {
    var id = decodeURIComponent(location.pathname.split("/")[2] || "");
    var title = main.append("h1").text("Job " + id);
    var head = main.append("div").attr("id", "job-head");
    var button = cancelButton(main, id);
    main.append("h2").text("Timeline of attempts");
    main.append("p").attr("class", "legend").html(
      '<span class="key bar-spot"></span>spot <span class="key bar-on-demand"></span>on-demand ' +
      '<span class="key bar-preempted"></span>preempted <span class="key bar-waiting"></span>waiting ' +
      '<span class="key phase-key"></span>phase change');
    var timeline = main.append("div").attr("id", "timeline-box");
    var charts = main.append("div").attr("class", "charts");
    var costBox = charts.append("div");
    costBox.append("h2").text("Cost against on-demand");
    var progressBox = charts.append("div");
    progressBox.append("h2").text("Progress against the deadline");
    main.append("h2").text("Log (live tail)");
    var pre = main.append("pre").attr("id", "log");
    main.append("h2").text("Phases");
    var phases = main.append("div");
    main.append("h2").text("Spot market of the zone");
    var market = main.append("div").attr("id", "market");
    var timer = null, marketShown = false;
    timer = every(POLL_MS, function () {
      api("/api/jobs/" + id).then(function (job) {
        title.text("Job " + job.id + " (" + job.name + ")");
        drawSummary(head, job);
        button.style("display", job.finished ? "none" : null);
        drawTimeline(timeline, job);
        drawCost(costBox, job);
        drawProgress(progressBox, job);
        drawPhases(phases, job);
        if (!marketShown && job.attempts > 0) {
          marketShown = true;
          api("/api/jobs/" + id + "/market").then(function (m) { drawMarket(market, m); }).catch(report);
        }
        stamp();
        if (job.finished && timer !== null) { clearInterval(timer); timer = null; }
      }).catch(function (e) {
        if (e.status === 404 && timer !== null) { clearInterval(timer); timer = null; }  // No such job.
        report(e);
      });
    });
    tailLog(pre, id);
  }

  // ---- simulate ----
  function quantile(sorted, q) {
    return d3.quantile(sorted, q);
  }

  function drawBoxes(parent, result) {
    var f = frame(parent, "sim-chart", 900, 80 + 46 * result.policies.length, 130);
    var all = [];
    result.policies.forEach(function (p) { all = all.concat(p.costs); });
    var x = d3.scale.linear().domain([0, (d3.max(all) || 1) * 1.05]).range([0, f.w]).nice();
    var y = d3.scale.ordinal().domain(result.policies.map(function (p) { return p.policy; }))
      .rangeRoundBands([0, f.h], 0.3);
    f.g.append("g").attr("class", "axis").attr("transform", "translate(0," + f.h + ")")
      .call(d3.svg.axis().scale(x).orient("bottom").ticks(8));
    f.g.append("g").attr("class", "axis").call(d3.svg.axis().scale(y).orient("left"));
    f.g.append("text").attr("class", "label").attr("x", f.w).attr("y", f.h - 4).attr("text-anchor", "end")
      .text("cost per run, USD");
    var od = result.terms.job_hours * result.terms.on_demand_price;
    f.g.append("line").attr("class", "deadline").attr("x1", x(od)).attr("x2", x(od)).attr("y1", 0).attr("y2", f.h)
      .append("title").text("all on-demand " + money(od));
    result.policies.forEach(function (p) {
      var c = p.costs.slice().sort(d3.ascending), band = y(p.policy), bh = y.rangeBand();
      var g = f.g.append("g").attr("class", "box").attr("data-policy", p.policy);
      var q1 = quantile(c, 0.25), q2 = quantile(c, 0.5), q3 = quantile(c, 0.75);
      g.append("line").attr("class", "whisker").attr("x1", x(c[0])).attr("x2", x(c[c.length - 1]))
        .attr("y1", band + bh / 2).attr("y2", band + bh / 2);
      g.append("rect").attr("class", "iqr").attr("x", x(q1)).attr("width", Math.max(1, x(q3) - x(q1)))
        .attr("y", band).attr("height", bh);
      g.append("line").attr("class", "median").attr("x1", x(q2)).attr("x2", x(q2))
        .attr("y1", band).attr("y2", band + bh);
      g.selectAll("circle.sim-point").data(c).enter().append("circle").attr("class", "sim-point")
        .attr("r", 2.5).attr("cx", function (v) { return x(v); })
        .attr("cy", function (v, i) { return band + bh / 2 + ((i * 7) % 11 - 5) * bh / 14; });
    });
  }

  function drawSimTable(parent, result) {
    parent.select("#sim-table").remove();
    var table = parent.append("table").attr("id", "sim-table");
    table.append("thead").append("tr").selectAll("th")
      .data(["policy", "runs", "mean", "p90", "missed deadlines", "score"]).enter().append("th").text(String);
    var rows = table.append("tbody").selectAll("tr").data(result.policies).enter().append("tr");
    rows.append("td").text(function (p) { return p.policy; });
    rows.append("td").text(function (p) { return p.runs; });
    rows.append("td").text(function (p) { return money(p.mean_cost); });
    rows.append("td").text(function (p) { return money(p.p90_cost); });
    rows.append("td").text(function (p) { return p.misses; });
    rows.append("td").text(function (p) { return p.score.toFixed(1); });
  }

  function simulateForm(form, choices) {
    var fields = [["job_hours", "job hours"], ["deadline_hours", "deadline hours"],
      ["overhead_hours", "changeover hours"], ["on_demand_price", "on-demand $/h"],
      ["spot_price", "spot $/h"], ["starts", "starts"]];
    var trace = form.append("label").text("trace ").append("select").attr("name", "trace");
    trace.selectAll("option").data(choices.traces).enter().append("option").text(String);
    fields.forEach(function (f) {
      form.append("label").text(f[1] + " ").append("input").attr("name", f[0]).attr("size", 6)
        .property("value", choices.defaults[f[0]]);
    });
    var pol = form.append("div").attr("class", "policies");
    choices.policies.forEach(function (p) {
      var l = pol.append("label");
      l.append("input").attr("type", "checkbox").attr("name", "policy").property("value", p)
        .property("checked", choices.default_policies.indexOf(p) >= 0);
      l.append("span").text(p + " ");
    });
    form.append("button").attr("type", "submit").attr("id", "run").text("Run replay");
  }

  function simulatePage() {
    main.append("h1").text("Simulate: what each policy would cost");
    main.append("p").attr("class", "note").text("Each start is a job driven by spotrun's own " +
      "controller on a simulated cloud whose spot market is the trace (the replay of `spotrun simulate`).");
    var form = main.append("form").attr("id", "sim-form");
    var status = main.append("p").attr("id", "sim-status").attr("class", "note");
    var out = main.append("div").attr("id", "sim-out");
    function run() {
      var q = [];
      form.selectAll("select, input[size]").each(function () {
        q.push(this.name + "=" + encodeURIComponent(this.value));
      });
      var policies = [];
      form.selectAll("input[type=checkbox]").each(function () { if (this.checked) policies.push(this.value); });
      q.push("policies=" + encodeURIComponent(policies.join(",")));
      status.text("replaying...");
      api("/api/simulate?" + q.join("&")).then(function (r) {
        status.text(r.policies.length + " policies x " + r.starts + " starts on " + r.trace + ", job " +
          r.terms.job_hours + " h, deadline " + r.terms.deadline_hours + " h; red line: all on-demand");
        out.text("");
        drawBoxes(out, r);
        drawSimTable(out, r);
      }).catch(function (e) { status.text(""); report(e); });
    }
    api("/api/simulate/choices").then(function (choices) {
      simulateForm(form, choices);
      form.on("submit", function () { d3.event.preventDefault(); run(); });
      run();
    }).catch(report);
  }

  try {
    ({jobs: jobsPage, job: jobPage, simulate: simulatePage})[PAGE]();
  } catch (e) { report(e); }
})();
