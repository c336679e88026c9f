/// The console's stylesheet and script, compiled into the binary and served from `/assets/`.
/// The script is small and only enhances: every page reads and works without it.
public enum ConsoleAssets {
    public static let css = """
        :root { --fg: #1b1f24; --muted: #57606a; --bg: #ffffff; --line: #d0d7de; --accent: #0a58ca;
          --ok: #1a7f37; --warn: #9a6700; --bad: #cf222e; --info: #0969da; --soft: #f6f8fa; }
        * { box-sizing: border-box; }
        body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); background: var(--bg); }
        a { color: var(--accent); }
        a:focus-visible, button:focus-visible, summary:focus-visible, input:focus-visible, select:focus-visible { outline: 3px solid #f0a000; outline-offset: 2px; }
        .skip { position: absolute; left: -999px; } .skip:focus { left: 8px; top: 8px; background: #fff; padding: 4px 8px; z-index: 2; }
        .visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
        header.top { display: flex; align-items: center; justify-content: space-between; gap: 1rem; padding: .6rem 1.2rem; background: #0d1117; color: #e6edf3; }
        header.top a { color: #e6edf3; text-decoration: none; margin-right: .9rem; }
        header.top a[aria-current="page"] { text-decoration: underline; text-underline-offset: 4px; }
        header.top .brand { font-weight: 700; letter-spacing: .02em; }
        header.top .sep { margin-right: .9rem; color: #8b949e; }
        .live { margin: 0; font-size: 13px; color: #8b949e; }
        main { padding: 1rem 1.2rem 2rem; max-width: 1400px; }
        h1 { font-size: 1.5rem; margin: .4rem 0 .8rem; } h2 { font-size: 1.15rem; margin: 1.6rem 0 .6rem; }
        footer { padding: .6rem 1.2rem; color: var(--muted); font-size: 13px; border-top: 1px solid var(--line); }
        code, pre { font: 13px/1.4 ui-monospace, SFMono-Regular, Menlo, monospace; }
        pre { background: var(--soft); border: 1px solid var(--line); padding: .6rem; overflow: auto; margin: 0; max-height: 32rem; }
        table { border-collapse: collapse; width: 100%; margin: .4rem 0 1rem; }
        caption { text-align: left; color: var(--muted); padding: .3rem 0; }
        th, td { text-align: left; vertical-align: top; padding: .4rem .5rem; border-bottom: 1px solid var(--line); }
        thead th { background: var(--soft); font-weight: 600; }
        .diff td pre { max-height: 12rem; } tr.replaces th { color: var(--bad); }
        .facts { display: grid; grid-template-columns: max-content 1fr; gap: .3rem 1rem; margin: .4rem 0 1rem; }
        .facts dt { color: var(--muted); } .facts dd { margin: 0; }
        .note { color: var(--muted); font-size: 13px; }
        .message { font-size: 1rem; }
        .badge { display: inline-block; padding: 0 .45rem; border-radius: 999px; font-size: 12px; font-weight: 600; border: 1px solid currentColor; white-space: nowrap; }
        .sync-Synced, .health-Healthy { color: var(--ok); }
        .sync-OutOfSync, .sync-Progressing, .health-Progressing, .sync-Pinned, .badge.pinned { color: var(--warn); }
        .sync-Failed, .sync-Rejected, .health-Degraded, .sync-Missing, .health-Missing { color: var(--bad); }
        .sync-Unknown, .health-Unknown { color: var(--muted); }
        .badge.drift { color: #fff; background: var(--bad); border-color: var(--bad); }
        .outcome-failed, .outcome-rejected, .outcome-rolled-back { color: var(--bad); } .outcome-succeeded { color: var(--ok); }
        .filters, form.token, form.inline { display: flex; flex-wrap: wrap; gap: .6rem; align-items: end; margin: .4rem 0 1rem; }
        label { display: flex; flex-direction: column; font-size: 13px; color: var(--muted); }
        input, select, button { font: inherit; padding: .3rem .5rem; border: 1px solid var(--line); border-radius: 6px; }
        button { background: var(--soft); cursor: pointer; color: var(--fg); } button:hover { background: #eaeef2; }
        .flash { background: #ddf4ff; border: 1px solid #54aeff; padding: .5rem .8rem; border-radius: 6px; }
        .verify-true { color: var(--ok); font-weight: 600; } .verify-false { color: var(--bad); font-weight: 600; }
        ul.tree, ul.tree ul { list-style: none; margin: 0; padding-left: 1.2rem; }
        ul.tree { padding-left: 0; }
        ul.tree li { margin: .15rem 0; border-left: 3px solid transparent; padding-left: .4rem; }
        ul.tree li.sync-OutOfSync, ul.tree li.health-Progressing { border-left-color: var(--warn); }
        ul.tree li.health-Degraded, ul.tree li.sync-Missing { border-left-color: var(--bad); }
        ul.tree li.drifted > details > summary, ul.tree li.drifted > .leaf { background: #ffebe9; }
        ul.tree summary { cursor: pointer; }
        ul.tree .kind, h1 .kind { color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: .04em; }
        ul.tree .physical { font: 12px ui-monospace, monospace; color: var(--muted); }
        ul.tree .count { color: var(--muted); font-size: 12px; }
        ul.diagnostics li.error { color: var(--bad); }
        """

    /// Live updates: the page listens to its Server-Sent Events stream and, when the
    /// application changes, fetches itself again and swaps `<main>`, keeping the tree's open
    /// rows, the focus and the scroll position.
    public static let script = """
        (function () {
          "use strict";
          var events = document.body.getAttribute("data-events");
          var live = document.getElementById("live");
          var openKey = "tidemark-open:" + location.pathname;
          function openRows() {
            try { return JSON.parse(sessionStorage.getItem(openKey) || "[]"); } catch (e) { return []; }
          }
          function restore() {
            var ids = openRows();
            document.querySelectorAll("details[data-id]").forEach(function (d) {
              if (ids.indexOf(d.getAttribute("data-id")) >= 0) { d.open = true; }
              d.addEventListener("toggle", function () {
                var now = openRows().filter(function (x) { return x !== d.getAttribute("data-id"); });
                if (d.open) { now.push(d.getAttribute("data-id")); }
                sessionStorage.setItem(openKey, JSON.stringify(now));
              });
            });
          }
          restore();
          if (!events || !window.EventSource || !window.fetch || !window.DOMParser) { return; }
          var pending = null;
          function refresh() {
            var active = document.activeElement;
            if (active && /^(INPUT|SELECT|TEXTAREA)$/.test(active.tagName)) { pending = setTimeout(refresh, 2000); return; }
            pending = null;
            fetch(location.href, { credentials: "same-origin", headers: { "Accept": "text/html" } })
              .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
              .then(function (html) {
                var next = new DOMParser().parseFromString(html, "text/html").getElementById("main");
                var main = document.getElementById("main");
                if (!next || !main) { return; }
                var focused = document.activeElement && document.activeElement.id;
                var y = window.scrollY;
                main.innerHTML = next.innerHTML;
                restore();
                if (focused && document.getElementById(focused)) { document.getElementById(focused).focus(); }
                window.scrollTo(0, y);
                if (live) { live.textContent = "Updated " + new Date().toLocaleTimeString(); }
              })
              .catch(function () { if (live) { live.textContent = "Could not refresh; the page shows what it last loaded."; } });
          }
          var source = new EventSource(events);
          source.addEventListener("status", function () {
            if (pending === null) { pending = setTimeout(refresh, 300); }
          });
          source.addEventListener("open", function () { if (live) { live.textContent = "Live"; } });
          source.addEventListener("error", function () { if (live) { live.textContent = "Reconnecting…"; } });
        })();
        """
}
