/* sitegen search: results as you type on the /search/ page.
 *
 * Reads the index written by sitegen/site/search.py: a manifest, shards holding sorted ranges
 * of terms, and one small file per document. Shards hold term frequencies; BM25 is worked out
 * here from them, the document frequency (a posting list's length) and the document lengths in
 * the manifest, so that one edit changes only the shards of the terms it touched. Each file is a script calling sitegenSearch.*(), so
 * it loads with a <script> tag: that works on any static host, under a subpath and from
 * file:// (where fetch() of local files is refused). Only the shards a query needs and the
 * documents it shows are downloaded. terms() must match terms() in sitegen/search.py.
 */
(function () {
  "use strict";
  var form = document.querySelector("form[data-search-index]");
  if (!form) return;
  var input = form.querySelector("input[name=q]");
  var status = document.getElementById("search-status");
  var list = document.getElementById("search-results");
  var more = document.getElementById("search-more");
  var PAGE = 10, MAX_PREFIX_SHARDS = 3, MAX_EXPANSIONS = 60;
  var K1 = 1.2, B = 0.75, LENGTH_STEPS = 16;  // as in search.py
  var CJK = /[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af]/;
  var CJK_ALL = /[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af]/g;
  var indexUrl = new URL(form.getAttribute("data-search-index"), document.baseURI);
  var root = new URL("../", indexUrl); // the index lives at <site root>/search/manifest.js
  var manifest = null, stop = {}, loaded = {}, waiters = {}, lengths = [], average = 1;
  var current = { seq: 0, hits: [], words: [], shown: 0 };

  function arrived(key, data) {
    loaded[key] = data;
    (waiters[key] || []).forEach(function (w) { w.resolve(data); });
    delete waiters[key];
  }
  window.sitegenSearch = {
    manifest: function (m) { arrived("manifest", m); },
    shard: function (name, data) { arrived("s" + name, data); },
    doc: function (n, data) { arrived("d" + n, data); }
  };

  function load(key, path) {
    if (key in loaded) return Promise.resolve(loaded[key]);
    return new Promise(function (resolve, reject) {
      if (waiters[key]) { waiters[key].push({ resolve: resolve, reject: reject }); return; }
      waiters[key] = [{ resolve: resolve, reject: reject }];
      var script = document.createElement("script");
      var version = manifest ? manifest.version : String(Date.now());
      script.src = new URL(path + "?v=" + version, indexUrl).href;
      script.async = true;
      script.onerror = function () {
        (waiters[key] || []).forEach(function (w) { w.reject(new Error("cannot load " + path)); });
        delete waiters[key];
        script.remove();
      };
      script.onload = function () { script.remove(); };
      document.head.appendChild(script);
    });
  }

  function normalize(text) {
    return text.toLowerCase().normalize("NFKD").replace(/\p{M}+/gu, "");
  }
  function terms(text) {
    var out = [];
    (normalize(text).match(/[\p{L}\p{N}]+/gu) || []).forEach(function (token) {
      if (!CJK.test(token)) { out.push(token); return; }
      token.replace(CJK_ALL, " $& ").split(/\s+/).forEach(function (t) { if (t) out.push(t); });
    });
    return out;
  }

  /* Index of the shard whose range holds `term`: the last shard starting at or before it. */
  function shardOf(term) {
    var firsts = manifest.shards, lo = 0, hi = firsts.length - 1, found = 0;
    while (lo <= hi) {
      var mid = (lo + hi) >> 1;
      if (firsts[mid] <= term) { found = mid; lo = mid + 1; } else { hi = mid - 1; }
    }
    return found;
  }

  /* Query words -> [{term, prefix, shards}]; the last word matches as a prefix while typing. */
  function plan(query) {
    var words = terms(query).filter(function (w) { return !stop[w]; });
    var typing = !/\s$/.test(query);
    return words.map(function (w, i) {
      var first = shardOf(w), last = first, prefix = false;
      if (typing && i === words.length - 1 && (w.length > 1 || CJK.test(w))) {
        last = shardOf(w + "\uffff");
        prefix = last - first < MAX_PREFIX_SHARDS;
        if (!prefix) last = first;
      }
      var shards = [];
      for (var s = first; s <= last; s++) shards.push(s);
      return { term: w, prefix: prefix, shards: shards };
    });
  }

  /* Document lengths, one byte each in the manifest (length_code() in search.py). */
  function readLengths(m) {
    var raw = atob(m.lengths || ""), total = 0;
    lengths = new Array(raw.length);
    for (var i = 0; i < raw.length; i++) {
      lengths[i] = Math.pow(2, raw.charCodeAt(i) / LENGTH_STEPS) - 1;
      total += lengths[i];
    }
    average = raw.length ? total / raw.length || 1 : 1;
  }

  /* One term's postings, [doc id gap, tf, ...], from the packed form written by
   * _Postings.packed() in search.py: "<g><t><first doc id>:", then base64 of the gaps between
   * the following doc ids (g bytes each) and of every frequency (t bytes each), little-endian. */
  function unpack(text) {
    var colon = text.indexOf(":"), g = +text.charAt(0), t = +text.charAt(1);
    var first = +text.slice(2, colon), raw = atob(text.slice(colon + 1));
    if (first < 0) return [];
    var n = 1 + (raw.length - t) / (g + t), out = new Array(2 * n);
    function read(at, size) {
      var value = 0;
      for (var k = size - 1; k >= 0; k--) value = value * 256 + raw.charCodeAt(at + k);
      return value;
    }
    for (var i = 0; i < n; i++) {
      out[2 * i] = i ? read((i - 1) * g, g) : first;
      out[2 * i + 1] = read((n - 1) * g + i * t, t);
    }
    return out;
  }

  /* Postings of one word: doc id -> BM25 score (the best of its expansions for a prefix). */
  function postings(word) {
    var found = {}, expansions = 0, n = manifest.docs;
    word.shards.forEach(function (s) {
      var shard = loaded["s" + manifest.files[s]] || {};
      Object.keys(shard).forEach(function (term) {
        var hit = word.prefix ? term.indexOf(word.term) === 0 : term === word.term;
        if (!hit || expansions >= MAX_EXPANSIONS) return;
        expansions++;
        var flat = unpack(shard[term]), doc = 0, df = flat.length / 2;
        var idf = Math.log(1 + (n - df + 0.5) / (df + 0.5));
        for (var i = 0; i < flat.length; i += 2) {
          doc += flat[i];
          var tf = flat[i + 1], norm = K1 * (1 - B + B * (lengths[doc] || 0) / average);
          var score = idf * tf * (K1 + 1) / (tf + norm);
          if (!(doc in found) || found[doc] < score) found[doc] = score;
        }
      });
    });
    return found;
  }

  function rank(words) {
    var scores = null;
    words.forEach(function (word) {
      var found = postings(word), next = {};
      if (scores === null) { scores = found; return; }
      Object.keys(scores).forEach(function (d) { if (d in found) next[d] = scores[d] + found[d]; });
      scores = next;
    });
    return Object.keys(scores || {}).map(Number).sort(function (a, b) {
      return (scores[b] - scores[a]) || (a - b);
    });
  }

  function docHref(url) {
    var href = new URL(url.replace(/^\//, ""), root);
    if ((manifest.fileUrls || location.protocol === "file:") && /\/$/.test(href.pathname)) {
      href.pathname += "index.html";
    }
    return href.href;
  }

  /* A window of the text around the first query word, with every match marked. */
  function excerpt(text, words) {
    var matches = function (token) {
      var t = normalize(token);
      return words.some(function (w) {
        return w.prefix ? t.indexOf(w.term) === 0 : t === w.term;
      });
    };
    var tokenRe = /[\p{L}\p{N}\p{M}]+/gu, m, first = -1;
    while ((m = tokenRe.exec(text)) !== null) {
      if (matches(m[0]) || (CJK.test(m[0]) && cjkHit(m[0], words) >= 0)) { first = m.index; break; }
    }
    var start = 0, end = Math.min(text.length, 220);
    if (first > 80) {
      start = text.lastIndexOf(" ", first - 60);
      start = start < 0 ? first - 60 : start + 1;
      end = Math.min(text.length, start + 220);
    }
    if (end < text.length) {  // end at a word boundary
      var space = text.lastIndexOf(" ", end);
      if (space > start + 100) end = space;
    }
    var piece = text.slice(start, end);
    var frag = document.createDocumentFragment();
    if (start > 0) frag.appendChild(document.createTextNode("… "));
    var at = 0;
    tokenRe = /[\p{L}\p{N}\p{M}]+/gu;
    while ((m = tokenRe.exec(piece)) !== null) {
      var from = -1, to = -1;
      if (matches(m[0])) { from = m.index; to = m.index + m[0].length; }
      else if (CJK.test(m[0])) {
        var k = cjkHit(m[0], words);
        if (k >= 0) { from = m.index + k; to = from + 1; }
      }
      if (from < 0) continue;
      frag.appendChild(document.createTextNode(piece.slice(at, from)));
      var mark = document.createElement("mark");
      mark.textContent = piece.slice(from, to);
      frag.appendChild(mark);
      at = to;
    }
    frag.appendChild(document.createTextNode(piece.slice(at) + (end < text.length ? " …" : "")));
    return frag;
  }
  function cjkHit(token, words) {
    for (var i = 0; i < token.length; i++) {
      var ch = normalize(token[i]);
      if (words.some(function (w) { return w.term === ch; })) return i;
    }
    return -1;
  }

  // the page's words (data-messages, from the theme's i18n files): texts by plural category
  var lang = document.documentElement.lang || "en";
  var texts = { search_loading: { other: "Loading the search index…" },
    search_failed: { other: "The search index could not be loaded." },
    search_specific: { other: "Type a more specific word." },
    search_none: { other: "No articles match “{query}”." },
    search_matches: { one: "{count} article matches “{query}”.",
      other: "{count} articles match “{query}”." } };
  try { Object.assign(texts, JSON.parse(form.getAttribute("data-messages") || "{}")); } catch (e) { /* English */ }
  var plural = window.Intl && Intl.PluralRules ? new Intl.PluralRules(lang) : null;

  function message(key, count, query) {
    var forms = texts[key] || {};
    var text = (plural && count !== undefined && forms[plural.select(count)]) || forms.other || "";
    var shown = count === undefined ? "" : count.toLocaleString(lang);
    return text.replace(/\{count\}/g, shown).replace(/\{query\}/g, query || "");
  }

  function say(text) { status.textContent = text; }

  function showMore() {
    var run = current, page = run.hits.slice(run.shown, run.shown + PAGE);
    run.shown += page.length;
    return Promise.all(page.map(function (d) { return load("d" + d, "d/" + d + ".js"); }))
      .then(function (docs) {
        if (run !== current) return;
        docs.forEach(function (doc) {
          var li = document.createElement("li");
          var h = document.createElement("h2");
          var a = document.createElement("a");
          a.href = docHref(doc.u);
          a.textContent = doc.t;
          if (doc.l) a.lang = doc.l;
          h.appendChild(a);
          li.appendChild(h);
          if (doc.d) {
            var p = document.createElement("p");
            p.className = "search-date";
            p.textContent = doc.d;
            li.appendChild(p);
          }
          var x = document.createElement("p");
          x.className = "search-excerpt";
          if (doc.l) x.lang = doc.l;
          x.appendChild(excerpt(doc.x, run.words));
          li.appendChild(x);
          list.appendChild(li);
        });
        more.hidden = run.shown >= run.hits.length;
      });
  }

  function search(query) {
    if (!manifest) return Promise.resolve();  // the manifest's arrival runs the query typed so far
    var run = { seq: current.seq + 1, hits: [], words: [], shown: 0, query: query };
    current = run;
    list.textContent = "";
    more.hidden = true;
    var words = plan(query);
    if (!words.length) { say(query.trim() ? message("search_specific") : ""); return Promise.resolve(); }
    if (!manifest.shards.length) { say(message("search_none", 0, query.trim())); return Promise.resolve(); }
    var needed = {};
    words.forEach(function (w) { w.shards.forEach(function (s) { needed[s] = true; }); });
    return Promise.all(Object.keys(needed).map(function (s) {
      var name = manifest.files[s];
      return load("s" + name, "s/" + name + ".js");
    }))
      .then(function () {
        if (run !== current) return null;
        run.words = words;
        run.hits = rank(words);
        var n = run.hits.length;
        say(message(n === 0 ? "search_none" : "search_matches", n, query.trim()));
        return showMore();
      })
      .catch(function () { if (run === current) say(message("search_failed")); });
  }

  function remember(query) {
    try {
      var url = new URL(location.href);
      if (query) url.searchParams.set("q", query); else url.searchParams.delete("q");
      history.replaceState(null, "", url.href);
    } catch (e) { /* some browsers refuse history changes on file:// pages; not needed */ }
  }

  var timer = 0;
  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () { remember(input.value); search(input.value); }, 120);
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    clearTimeout(timer);
    remember(input.value);
    search(input.value);
  });
  more.addEventListener("click", function () {
    var next = list.children.length;
    showMore().then(function () {
      var item = list.children[next];
      var link = item && item.querySelector("a");
      if (link) link.focus();  // keyboard users continue where the new results start
    });
  });

  form.classList.add("search-ready");
  say(message("search_loading"));
  load("manifest", "manifest.js").then(function (m) {
    manifest = m;
    readLengths(m);
    m.stopwords.forEach(function (w) { stop[w] = true; });
    var q = new URL(location.href).searchParams.get("q") || "";
    if (q && !input.value) input.value = q;
    say("");
    if (input.value) search(input.value);
  }, function () { say(message("search_failed")); });
})();
