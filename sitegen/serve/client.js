// sitegen live reload. `sitegen serve` adds this to the HTML it serves (never to build/ output).
// It listens on /__sitegen/events (Server-Sent Events) and, when the page's file changed, puts
// the new page in place without a navigation (or reloads it, see `refresh`), swaps stylesheets
// in place when only CSS changed, keeps the scroll position across reloads, and shows build
// errors in an overlay until the next good build.
(function () {
  "use strict";
  var me = document.currentScript;
  if (!me || window.__sitegenLive) return;
  window.__sitegenLive = true;
  var version = me.getAttribute("data-version");
  var served = me.getAttribute("data-path"); // output file of this page; "" on a 404 answer
  var scrollKey = "sitegen:scroll:" + location.pathname + location.search;
  var source = null;
  var retry = null;
  var reloading = false;

  restoreScroll();

  function restoreScroll() {
    var saved = null;
    try {
      saved = sessionStorage.getItem(scrollKey);
      sessionStorage.removeItem(scrollKey);
    } catch (e) { return; }
    if (!saved) return;
    var xy = JSON.parse(saved);
    var apply = function () { window.scrollTo(xy[0], xy[1]); };
    apply();
    if (document.readyState !== "complete") window.addEventListener("load", apply, { once: true });
  }

  function reload() {
    if (reloading) return;
    reloading = true;
    try {
      sessionStorage.setItem(scrollKey, JSON.stringify([window.scrollX, window.scrollY]));
    } catch (e) { /* private mode: reload without keeping the position */ }
    disconnect(); // free the connection for the reload itself
    location.reload();
  }

  // An executable script of the page's own (not this one; not data such as JSON-LD)?
  function runsCode(doc) {
    return Array.prototype.some.call(doc.querySelectorAll("script"), function (s) {
      if (s.id === "sitegen-live") return false;
      var type = (s.getAttribute("type") || "").trim().toLowerCase();
      return type === "" || type === "module" || /^(text|application)\/(x-)?(java|ecma)script$/.test(type);
    });
  }

  function sheets(doc) {
    return Array.prototype.map.call(doc.querySelectorAll('link[rel~="stylesheet"]'), function (l) {
      return l.getAttribute("href");
    }).join("\n");
  }

  // This page's file changed. A page without scripts of its own gets the new page put in place
  // of the old one, without a navigation: it shows in a few milliseconds, nothing flashes, and
  // the scroll position stays (Eleventy's dev server does the same). A page with scripts is
  // reloaded (theirs would not run again on new content), and so is one whose stylesheets,
  // language or direction changed, or when anything about the fetch is unexpected.
  var patching = false, again = false;
  function refresh(errors) {
    if (reloading) return;
    if (patching) { again = true; return; }
    if (!window.fetch || !window.DOMParser || runsCode(document)) { reload(); return; }
    patching = true;
    fetch(location.href, { cache: "no-store" }).then(function (answer) {
      var type = answer.headers.get("Content-Type") || "";
      if (!answer.ok || type.indexOf("text/html") < 0) throw new Error("not this page");
      return answer.text();
    }).then(function (text) {
      var doc = new DOMParser().parseFromString(text, "text/html");
      var live = doc.getElementById("sitegen-live");
      var root = document.documentElement, next = doc.documentElement;
      if (!live || live.getAttribute("data-path") !== served || runsCode(doc) ||
          sheets(doc) !== sheets(document) || root.lang !== next.lang || root.dir !== next.dir) {
        throw new Error("reload");
      }
      version = live.getAttribute("data-version") || version;
      live.remove();
      var swapped = ':scope > :not(link[rel~="stylesheet"])'; // all of the head but its stylesheets
      Array.prototype.forEach.call(document.head.querySelectorAll(swapped), function (el) { el.remove(); });
      Array.prototype.forEach.call(doc.head.querySelectorAll(swapped), function (el) {
        document.head.appendChild(document.adoptNode(el));
      });
      document.body.replaceWith(document.adoptNode(doc.body));
      patching = false;
      showErrors(errors);
      if (again) { again = false; refresh(errors); }
    }).catch(function () { patching = false; reload(); });
  }

  // "/style.1a2b3c4d5e.css" and "/style.css" name the same stylesheet.
  function unhashed(path) { return path.replace(/\.[0-9a-f]{10}(\.css)$/, "$1"); }

  function swapStylesheets(files) {
    var hashed = {}, plain = {};
    files.forEach(function (f) {
      if (unhashed(f) === f) plain[f] = true; else hashed[unhashed(f)] = f;
    });
    var links = document.querySelectorAll('link[rel~="stylesheet"][href]');
    Array.prototype.forEach.call(links, function (link) {
      var url = new URL(link.href, location.href);
      if (url.origin !== location.origin) return;
      var key = unhashed(url.pathname);
      var next = null;
      if (url.pathname !== key && hashed[key]) next = hashed[key];
      else if (url.pathname === key && (plain[key] || hashed[key])) next = key + "?v=" + version;
      if (!next) return;
      var fresh = link.cloneNode(false);
      fresh.href = next;
      // keep the old sheet until the new one is loaded, so nothing flashes unstyled
      fresh.addEventListener("load", function () { link.remove(); }, { once: true });
      fresh.addEventListener("error", function () { fresh.remove(); }, { once: true });
      link.after(fresh);
    });
  }

  // Did this page load one of these output files (image, script, data fetched by a script)?
  function loadedAny(assets) {
    if (!assets || !assets.length || !window.performance || !performance.getEntriesByType) return false;
    var wanted = {};
    assets.forEach(function (a) { wanted[a] = true; });
    return performance.getEntriesByType("resource").some(function (entry) {
      var url = new URL(entry.name, location.href);
      if (url.origin !== location.origin) return false;
      var path;
      try { path = decodeURIComponent(url.pathname); } catch (e) { path = url.pathname; }
      return wanted[path.replace(/^\//, "")] === true;
    });
  }

  function showErrors(errors) {
    var old = document.getElementById("sitegen-overlay");
    if (old) old.remove();
    if (!errors || !errors.length) return;
    var host = document.createElement("div");
    host.id = "sitegen-overlay";
    host.setAttribute("data-errors", String(errors.length));
    var root = host.attachShadow ? host.attachShadow({ mode: "open" }) : host;
    var style = document.createElement("style");
    style.textContent =
      ":host{all:initial}" +
      ".box{position:fixed;inset:0;z-index:2147483647;overflow:auto;background:rgba(20,20,24,.92);" +
      "color:#f3f3f3;font:15px/1.5 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;padding:2rem}" +
      "h1{font-size:18px;margin:0 0 1rem;color:#ff8a80}" +
      ".err{border-left:4px solid #ff5252;padding:.5rem 1rem;margin:0 0 1rem;background:#2a2a30}" +
      ".where{color:#ffd180;font-weight:bold}.hint{color:#b0bec5}" +
      "button{position:absolute;top:1rem;right:1rem;font:inherit;background:none;color:inherit;" +
      "border:1px solid #777;border-radius:4px;cursor:pointer}";
    root.appendChild(style);
    var box = document.createElement("div");
    box.className = "box";
    box.setAttribute("role", "alert");
    var close = document.createElement("button");
    close.textContent = "hide";
    close.addEventListener("click", function () { host.remove(); });
    box.appendChild(close);
    var title = document.createElement("h1");
    title.textContent = "sitegen: the build failed (showing the last good build below)";
    box.appendChild(title);
    errors.forEach(function (err) {
      var item = document.createElement("div");
      item.className = "err";
      var where = document.createElement("div");
      where.className = "where";
      where.textContent = err.path ? err.path + (err.line ? ":" + err.line : "") : "";
      var what = document.createElement("div");
      what.textContent = err.message;
      item.appendChild(where);
      item.appendChild(what);
      if (err.hint) {
        var hint = document.createElement("div");
        hint.className = "hint";
        hint.textContent = "hint: " + err.hint;
        item.appendChild(hint);
      }
      box.appendChild(item);
    });
    root.appendChild(box);
    document.documentElement.appendChild(host);
  }

  function handle(msg) {
    if (msg.type === "hello") {
      if (msg.version !== version) { reload(); return; } // built (or restarted) since we loaded
      showErrors(msg.errors);
    } else if (msg.type === "reload") {
      if (!msg.pages || !served || loadedAny(msg.assets)) {
        reload();
        return;
      }
      if (msg.pages.indexOf(served) >= 0) {
        refresh(msg.errors);
        return;
      }
      version = msg.version; // this page did not change
      showErrors(msg.errors);
    } else if (msg.type === "css") {
      version = msg.version;
      swapStylesheets(msg.files);
      showErrors(msg.errors);
    } else if (msg.type === "errors") {
      showErrors(msg.errors);
    }
  }

  function connect() {
    if (source || reloading || document.visibilityState === "hidden") return;
    clearTimeout(retry);
    source = new EventSource("/__sitegen/events");
    source.onmessage = function (e) { handle(JSON.parse(e.data)); };
    source.onerror = function () {
      // The browser retries by itself unless the answer was not an event stream.
      if (source && source.readyState === EventSource.CLOSED) {
        source = null;
        retry = setTimeout(connect, 1000);
      }
    };
  }

  function disconnect() {
    clearTimeout(retry);
    if (source) { source.close(); source = null; }
  }

  // Hidden tabs let go of their connection: browsers allow only a few per server, and the
  // "hello" on return tells a tab whether it missed a build.
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") disconnect(); else connect();
  });
  window.addEventListener("pagehide", disconnect);
  window.addEventListener("pageshow", function (e) { if (e.persisted) connect(); });
  connect();
})();
