/* Search over the archive from file://, without a server.
 *
 * The index is JavaScript (browsers refuse fetch() of file:// URLs): shard
 * files call window.__searchShards.push({k, t}), document chunks
 * window.__searchDocs.push({c, d}), and meta.js sets window.__searchMeta
 * (every entry's type and year). Only the shards a query needs are loaded, by
 * adding <script> tags. The analyser below must stay identical to
 * search_index.py (fold, asciiFold, words, stop words, stem); the tests
 * compare them.
 *
 * The query, the filters and the page are in the address (search.html?q=…&
 * type=…&year=…&p=…), so paging and filtering are ordinary links and forms;
 * where the browser lets the address change, they are shown in place.
 */
(function () {
  "use strict";

  var manifest = window.__searchManifest || {
    shards: [], docChunk: 100, docs: 0, stopwords: [], years: [], kinds: {}, titleFlag: 1000
  };
  var STOP = new Set(manifest.stopwords);
  var KEEP = new Set(["æ", "ø", "å"]);
  var MAP = { "ä": "æ", "ö": "ø" };
  var ASCII = { "æ": "ae", "ø": "o", "å": "aa" };
  var PAGE_SIZE = 20;
  var TITLE_FLAG = manifest.titleFlag || 1000;
  var KIND_OF = { page: "p", press: "n", strategy: "s", document: "d" };
  var KIND_LABEL = {
    p: "Side / Page", n: "Pressemelding / Press release",
    s: "Strategi / Strategy", d: "Dokument / Document"
  };
  /* Strategies first, then pages and documents, press releases last (within
     the same number of title words). */
  var KIND_CLASS = { s: 0, p: 1, d: 1, n: 2 };

  function fold(text) {
    var out = "";
    for (var ch of text.toLowerCase().normalize("NFC")) {
      if (KEEP.has(ch)) { out += ch; continue; }
      ch = MAP[ch] || ch;
      if (KEEP.has(ch) || ch.charCodeAt(0) < 128) { out += ch; continue; }
      out += ch.normalize("NFD").replace(/\p{M}/gu, "");
    }
    return out;
  }

  /* æ -> ae, ø -> o, å -> aa, then the digraph oe -> o (as search_index.ascii_fold). */
  function asciiFold(folded) {
    return folded.replace(/[æøå]/g, function (c) { return ASCII[c]; }).replace(/oe/g, "o");
  }

  function words(text) {
    return asciiFold(fold(text)).match(/[\p{L}\p{N}]+/gu) || [];
  }

  function ends(w, n, suffixes) {
    var head = w.slice(0, n);
    for (var i = 0; i < suffixes.length; i++) {
      if (head.endsWith(suffixes[i])) return true;
    }
    return false;
  }

  /* Light Norwegian stemmer, bokmål and nynorsk rules (as search_index.stem). */
  function stem(w) {
    var n = w.length;
    if (n > 4 && w[n - 1] === "s") n -= 1;
    if (n > 7 && ends(w, n, ["heter", "heten", "heita"])) return w.slice(0, n - 5);
    if (n > 8 && ends(w, n, ["heiter", "leiken", "leikar"])) return w.slice(0, n - 6);
    if (n > 5 && ends(w, n, ["dom", "het"])) return w.slice(0, n - 3);
    if (n > 6 && ends(w, n, ["heit", "semd", "leik"])) return w.slice(0, n - 4);
    if (n > 7 && ends(w, n, ["elser", "elsen"])) return w.slice(0, n - 5);
    if (n > 6 && ends(w, n, ["ende", "ande", "else", "este", "aste", "eren", "aren"])) return w.slice(0, n - 4);
    if (n > 5 && ends(w, n, ["ere", "are", "est", "ast", "ene", "ane"])) return w.slice(0, n - 3);
    if (n > 4 && ends(w, n, ["er", "en", "et", "ar", "st", "te"])) return w.slice(0, n - 2);
    if (n > 3 && "aen".indexOf(w[n - 1]) >= 0) return w.slice(0, n - 1);
    return w.slice(0, n);
  }

  function terms(text) {
    var out = [];
    words(text).forEach(function (w) {
      if (w.length > 1 && !STOP.has(w)) out.push(stem(w));
    });
    return out;
  }

  function shardKey(term) {
    return Array.from(term).slice(0, 2).map(function (c) {
      return c.codePointAt(0).toString(16);
    }).join("_");
  }

  /* Shards and document chunks arrive through push(); keep them by key. */
  var shards = {};
  var docs = {};
  function collect(name, store, keyName, valueName) {
    var queue = window[name] || [];
    queue.forEach(function (item) { store[item[keyName]] = item[valueName]; });
    window[name] = { push: function (item) { store[item[keyName]] = item[valueName]; } };
  }
  collect("__searchShards", shards, "k", "t");
  collect("__searchDocs", docs, "c", "d");

  var available = new Set(manifest.shards);
  var loading = {};
  var base = (function () {
    var me = document.currentScript && document.currentScript.getAttribute("src");
    return me ? me.replace(/static\/search\.js$/, "") : "";
  })();

  function load(file, ready) {
    if (ready()) return Promise.resolve();
    if (!loading[file]) {
      loading[file] = new Promise(function (resolve) {
        var s = document.createElement("script");
        s.src = base + "search/" + file;
        s.onload = function () { resolve(); };
        s.onerror = function () { resolve(); };
        document.head.appendChild(s);
      });
    }
    return loading[file];
  }

  function loadShard(key) {
    if (!available.has(key)) return Promise.resolve();
    return load("t-" + key + ".js", function () { return key in shards; });
  }

  function loadDocs(chunk) {
    return load("docs-" + chunk + ".js", function () { return chunk in docs; });
  }

  function loadMeta() {
    return load("meta.js", function () { return !!window.__searchMeta; });
  }

  /* Postings of a term, Map doc -> weight: exact match, or (for the last, possibly
     unfinished word of a query) every term it is a prefix of, at half weight
     and without the title flag. A doc listed twice (a word and a compound
     holding it) keeps its higher weight. */
  function postings(term, prefix) {
    var table = shards[shardKey(term)] || {};
    var found = new Map();
    var list = Object.prototype.hasOwnProperty.call(table, term) ? table[term] : [];
    for (var i = 0; i < list.length; i += 2) {
      var had = found.get(list[i]);
      if (had === undefined || list[i + 1] > had) found.set(list[i], list[i + 1]);
    }
    if (prefix) {
      var extra = new Map();
      for (var t in table) {
        if (t === term || !t.startsWith(term)) continue;
        var more = table[t];
        for (var j = 0; j < more.length; j += 2) {
          var d = more[j];
          if (found.has(d)) continue;
          var w = Math.max((more[j + 1] % TITLE_FLAG) / 2, 0.5);
          var was = extra.get(d);
          if (was === undefined || w > was) extra.set(d, w);
        }
      }
      extra.forEach(function (w, d) { found.set(d, w); });
    }
    return found;
  }

  function accepts(meta, id, filters) {
    if (!meta) return true;
    if (filters.kind && meta.k[id] !== filters.kind) return false;
    if (filters.year && meta.y[id] !== filters.year) return false;
    return true;
  }

  function rank(qterms, filters) {
    var meta = window.__searchMeta;
    var per = qterms.map(function (t, i) {
      return postings(t, i === qterms.length - 1 && t.length >= 3);  /* the word being typed */
    });
    /* One record a matched doc: [id, words matched, title words, score]. */
    var found = new Map();
    per.forEach(function (postingsOf) {
      postingsOf.forEach(function (w, d) {
        var r = found.get(d);
        if (r === undefined) { r = [d, 0, 0, 0]; found.set(d, r); }
        r[1] += 1;
        r[3] += w % TITLE_FLAG;
        if (w >= TITLE_FLAG) r[2] += 1;
      });
    });
    var matched = Array.from(found.values());
    var all = matched.filter(function (r) { return r[1] === per.length; });
    var partial = all.length === 0 && matched.length > 0;
    if (partial) all = matched;
    var counts = { p: 0, n: 0, s: 0, d: 0 };
    var years = {};
    if (meta) {
      all.forEach(function (r) {
        counts[meta.k[r[0]]] = (counts[meta.k[r[0]]] || 0) + 1;
        years[meta.y[r[0]]] = (years[meta.y[r[0]]] || 0) + 1;
      });
    }
    all = all.filter(function (r) { return accepts(meta, r[0], filters); });
    all.forEach(function (r) { r.push(meta ? KIND_CLASS[meta.k[r[0]]] : 1); });
    all.sort(function (a, b) {
      return (b[1] - a[1]) || (b[2] - a[2]) || (a[4] - b[4]) || (b[3] - a[3]) || (a[0] - b[0]);
    });
    return { ids: all.map(function (r) { return r[0]; }), partial: partial, counts: counts,
             years: years };
  }

  /* A query -> {ids, partial, total, page, pages, docs}: the ranked ids that pass the
     filters and the documents of the page asked for. options: {type, year, page}. */
  function query(text, options) {
    options = options || {};
    var filters = { kind: KIND_OF[options.type] || "", year: Number(options.year) || 0 };
    var qterms = terms(text);
    if (qterms.length === 0) {
      return Promise.resolve({ ids: [], partial: false, docs: [], page: 1, pages: 0, terms: [] });
    }
    var keys = Array.from(new Set(qterms.map(shardKey)));
    return Promise.all(keys.map(loadShard).concat([loadMeta()])).then(function () {
      var result = rank(qterms, filters);
      result.terms = qterms;
      result.pages = Math.ceil(result.ids.length / PAGE_SIZE);
      result.page = Math.min(Math.max(1, Number(options.page) || 1), Math.max(1, result.pages));
      var ids = result.ids.slice((result.page - 1) * PAGE_SIZE, result.page * PAGE_SIZE);
      var chunks = Array.from(new Set(ids.map(function (id) {
        return Math.floor(id / manifest.docChunk);
      })));
      return Promise.all(chunks.map(loadDocs)).then(function () {
        result.shown = ids;
        result.docs = ids.map(function (id) {
          var chunk = docs[Math.floor(id / manifest.docChunk)] || [];
          return chunk[id % manifest.docChunk];
        }).filter(Boolean);
        return result;
      });
    });
  }

  /* Does a word of the text match one of the query's terms? Exactly, as the
     start of the word being typed, or as a part of a compound. */
  function matcher(qterms) {
    return function (word) {
      var t = terms(word)[0];
      if (!t) return false;
      for (var i = 0; i < qterms.length; i++) {
        var q = qterms[i];
        if (t === q) return true;
        if (i === qterms.length - 1 && q.length >= 3 && t.startsWith(q)) return true;
        if (q.length >= 4 && t.length > q.length && t.indexOf(q) >= 0) return true;
      }
      return false;
    };
  }

  var BEFORE = 80;
  var LENGTH = 240;

  /* The passage of a text around its first match, as [text, marked] pieces. */
  function snippet(text, qterms) {
    if (!text) return [];
    var matches = matcher(qterms);
    var re = /[\p{L}\p{N}]+/gu;
    var found = [];
    var m;
    while ((m = re.exec(text)) !== null) {
      if (matches(m[0])) found.push([m.index, m.index + m[0].length]);
    }
    var start = 0;
    if (found.length) {
      start = Math.max(0, found[0][0] - BEFORE);
      if (start > 0) {
        var space = text.indexOf(" ", start);
        start = space >= 0 && space < found[0][0] ? space + 1 : start;
      }
    }
    var end = Math.min(text.length, start + LENGTH);
    if (end < text.length) {
      var cut = text.lastIndexOf(" ", end);
      if (cut > start + LENGTH / 2) end = cut;
    }
    var pieces = [];
    if (start > 0) pieces.push(["… ", false]);
    var at = start;
    found.forEach(function (f) {
      if (f[0] < start || f[1] > end) return;
      if (f[0] > at) pieces.push([text.slice(at, f[0]), false]);
      pieces.push([text.slice(f[0], f[1]), true]);
      at = f[1];
    });
    if (end > at) pieces.push([text.slice(at, end), false]);
    if (end < text.length) pieces.push([" …", false]);
    return pieces;
  }

  function address(params) {
    var q = new URLSearchParams();
    Object.keys(params).forEach(function (k) { if (params[k]) q.set(k, params[k]); });
    return "search.html?" + q.toString();
  }

  function pager(nav, text, options, result) {
    nav.textContent = "";
    if (result.pages <= 1) { nav.hidden = true; return; }
    nav.hidden = false;
    var params = { q: text, type: options.type, year: options.year };
    function link(page, label, rel) {
      var a = document.createElement("a");
      a.href = address(Object.assign({}, params, { p: String(page) }));
      a.rel = rel;
      a.innerHTML = label;
      nav.appendChild(a);
      nav.appendChild(document.createTextNode(" "));
    }
    if (result.page > 1) link(result.page - 1, "← Forrige <span lang=\"en\">/ Previous</span>", "prev");
    var here = document.createElement("span");
    here.className = "page-of";
    here.textContent = "Side " + result.page + " av " + result.pages +
      " / Page " + result.page + " of " + result.pages;
    nav.appendChild(here);
    nav.appendChild(document.createTextNode(" "));
    if (result.page < result.pages) link(result.page + 1, "Neste <span lang=\"en\">/ Next</span> →", "next");
  }

  function fillFilters(result, options) {
    var type = document.getElementById("search-type");
    var year = document.getElementById("search-year");
    if (type) {
      type.value = options.type || "";
      Array.from(type.options).forEach(function (o) {
        var letter = KIND_OF[o.value];
        var base = o.getAttribute("data-label") || o.textContent;
        o.setAttribute("data-label", base);
        o.textContent = letter && result.counts ? base + " (" + (result.counts[letter] || 0) + ")" : base;
      });
    }
    if (year) {
      (manifest.years || []).forEach(function (y) {
        if (year.querySelector("option[value='" + y + "']")) return;
        var o = document.createElement("option");
        o.value = String(y);
        o.textContent = String(y) + (result.years && result.years[y] ? " (" + result.years[y] + ")" : "");
        year.appendChild(o);
      });
      year.value = options.year || "";
    }
  }

  function render(text, result, options) {
    var list = document.getElementById("search-results");
    var status = document.getElementById("search-status");
    list.textContent = "";
    list.start = (result.page - 1) * PAGE_SIZE + 1;
    var meta = window.__searchMeta;
    result.docs.forEach(function (doc, i) {
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = base + doc[1];
      a.textContent = doc[0];
      a.lang = doc[3];
      li.appendChild(a);
      var meta_ = document.createElement("span");
      meta_.className = "meta";
      var kind = meta ? meta.k[result.shown[i]] : "";
      li.setAttribute("data-kind", kind || "");
      meta_.textContent = " (" + (KIND_LABEL[kind] ? KIND_LABEL[kind] + ", " : "") + doc[2] + ")";
      li.appendChild(meta_);
      var pieces = snippet(doc[5], result.terms);
      if (pieces.length) {
        var p = document.createElement("p");
        p.className = "snippet";
        p.lang = doc[3];
        pieces.forEach(function (piece) {
          if (piece[1]) {
            var mark = document.createElement("mark");
            mark.textContent = piece[0];
            p.appendChild(mark);
          } else {
            p.appendChild(document.createTextNode(piece[0]));
          }
        });
        li.appendChild(p);
      }
      list.appendChild(li);
    });
    var n = result.ids.length;
    var filtered = options.type || options.year;
    if (terms(text).length === 0) {
      status.textContent = "Skriv et søkeord. / Type a search term.";
    } else if (n === 0) {
      status.textContent = "Ingen treff på «" + text + "»" + (filtered ? " med disse filtrene" : "") +
        ". / No results" + (filtered ? " with these filters" : "") + ".";
    } else {
      var first = (result.page - 1) * PAGE_SIZE + 1;
      var last = first + result.docs.length - 1;
      status.textContent = n + " treff på «" + text + "»" +
        (result.partial ? " (ikke alle ordene / not all words)" : "") +
        (result.pages > 1 ? ", viser " + first + "–" + last : "") + ". / " + n + " results" +
        (result.pages > 1 ? ", showing " + first + "–" + last : "") + ".";
    }
    var nav = document.getElementById("search-pager");
    if (nav) pager(nav, text, options, result);
    fillFilters(result, options);
  }

  function search(text, options) {
    options = options || {};
    return query(text, options).then(function (result) { render(text, result, options); return result; });
  }

  window.archiveSearch = {
    fold: fold, asciiFold: asciiFold, words: words, stem: stem, terms: terms,
    shardKey: shardKey, query: query, search: search, snippet: snippet, pageSize: PAGE_SIZE
  };

  var input = typeof document.getElementById === "function" && document.getElementById("q");
  if (!input) return;

  function optionsOf(params) {
    return { type: params.get("type") || "", year: params.get("year") || "", page: params.get("p") || "" };
  }

  /* Show the results of the address's query; body[data-search-done] once shown.
     Only the newest query is shown when several are under way. */
  var newest = 0;
  function run(params) {
    var mine = ++newest;
    var q = params.get("q") || "";
    var options = optionsOf(params);
    document.body.removeAttribute("data-search-done");
    input.value = q;
    fillFilters({}, options);
    if (!q) {
      document.getElementById("search-results").textContent = "";
      document.getElementById("search-status").textContent = "";
      var nav = document.getElementById("search-pager");
      if (nav) nav.hidden = true;
      return Promise.resolve();
    }
    return query(q, options).then(function (result) {
      if (mine !== newest) return;
      render(q, result, options);
      document.body.setAttribute("data-search-done", "");
    });
  }

  /* A new query, filter or page of results is shown in place, without loading
     the page again (its scripts, the shards already read), when the browser
     lets the address change (history.pushState); one that refuses it for a
     file:// page loads search.html?… as a plain form or link would. */
  function inPlace(params) {
    try {
      window.history.pushState(null, "", "search.html?" + params.toString());
    } catch (e) {
      return false;
    }
    run(params);
    return true;
  }

  var form = input.form;
  if (form) {
    form.addEventListener("submit", function (event) {
      if (inPlace(new URLSearchParams(address({
        q: input.value, type: form.elements.type ? form.elements.type.value : "",
        year: form.elements.year ? form.elements.year.value : ""
      }).split("?")[1]))) {
        event.preventDefault();
      }
    });
  }
  var pagerNav = document.getElementById("search-pager");
  if (pagerNav) {
    pagerNav.addEventListener("click", function (event) {
      var link = event.target.closest && event.target.closest("a[href]");
      if (!link || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey ||
          event.altKey) return;
      if (inPlace(new URLSearchParams(link.getAttribute("href").split("?")[1] || ""))) {
        event.preventDefault();
        /* the link is gone with the old pager: focus (and scroll to) the new count */
        var status = document.getElementById("search-status");
        status.tabIndex = -1;
        status.focus();
      }
    });
  }
  window.addEventListener("popstate", function () {
    run(new URLSearchParams(window.location.search));
  });
  run(new URLSearchParams(window.location.search));
  /* every query needs every entry's type and year: read them while the reader types */
  loadMeta();
})();
