/* Search over the archive from file://, without a server.
 *
 * The index is JavaScript (browsers refuse fetch() of file:// URLs): shard
 * files call window.__searchShards.push({k, t}) and document chunks
 * window.__searchDocs.push({c, d}). Only the shards a query needs are loaded,
 * by adding <script> tags. The analyser below must stay identical to
 * search_index.py (fold, words, stop words, stem); the tests compare them.
 */
(function () {
  "use strict";

  var manifest = window.__searchManifest || { shards: [], docChunk: 500, docs: 0, stopwords: [] };
  var STOP = new Set(manifest.stopwords);
  var KEEP = new Set(["æ", "ø", "å"]);
  var MAP = { "ä": "æ", "ö": "ø" };
  var MAX_RESULTS = 50;

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

  function words(text) {
    return fold(text).match(/[\p{L}\p{N}]+/gu) || [];
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

  /* Postings of a term: exact match, or (for the last, possibly unfinished
     word of a query) every term it is a prefix of. */
  function postings(term, prefix) {
    var table = shards[shardKey(term)] || {};
    var found = {};
    Object.keys(table).forEach(function (t) {
      if (t === term || (prefix && t.startsWith(term))) {
        var list = table[t];
        for (var i = 0; i < list.length; i += 2) {
          found[list[i]] = Math.max(found[list[i]] || 0, list[i + 1]);
        }
      }
    });
    return found;
  }

  function rank(qterms) {
    var per = qterms.map(function (t, i) {
      var exact = postings(t, false);
      if (i === qterms.length - 1 && t.length >= 3) {  /* the word being typed */
        var more = postings(t, true);
        Object.keys(more).forEach(function (d) { if (!(d in exact)) exact[d] = more[d] / 2; });
      }
      return exact;
    });
    var scores = {};
    var hits = {};
    per.forEach(function (found) {
      Object.keys(found).forEach(function (d) {
        scores[d] = (scores[d] || 0) + found[d];
        hits[d] = (hits[d] || 0) + 1;
      });
    });
    var all = Object.keys(scores).filter(function (d) { return hits[d] === per.length; });
    var partial = all.length === 0;
    if (partial) all = Object.keys(scores);
    all.sort(function (a, b) {
      return (hits[b] - hits[a]) || (scores[b] - scores[a]) || (a - b);
    });
    return { ids: all.map(Number), partial: partial };
  }

  /* A query -> {ids, partial, total, docs}: ranked ids and the shown documents. */
  function query(text) {
    var qterms = terms(text);
    if (qterms.length === 0) return Promise.resolve({ ids: [], partial: false, docs: [] });
    var keys = Array.from(new Set(qterms.map(shardKey)));
    return Promise.all(keys.map(loadShard)).then(function () {
      var result = rank(qterms);
      var ids = result.ids.slice(0, MAX_RESULTS);
      var chunks = Array.from(new Set(ids.map(function (id) {
        return Math.floor(id / manifest.docChunk);
      })));
      return Promise.all(chunks.map(loadDocs)).then(function () {
        result.docs = ids.map(function (id) {
          var chunk = docs[Math.floor(id / manifest.docChunk)] || [];
          return chunk[id % manifest.docChunk];
        }).filter(Boolean);
        return result;
      });
    });
  }

  function render(text, result) {
    var list = document.getElementById("search-results");
    var status = document.getElementById("search-status");
    list.textContent = "";
    result.docs.forEach(function (doc) {
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = base + doc[1];
      a.textContent = doc[0];
      a.lang = doc[3];
      li.appendChild(a);
      var meta = document.createElement("span");
      meta.className = "meta";
      meta.textContent = " (" + doc[2] + ")";
      li.appendChild(meta);
      if (doc[5]) {
        var p = document.createElement("p");
        p.className = "snippet";
        p.textContent = doc[5];
        li.appendChild(p);
      }
      list.appendChild(li);
    });
    var n = result.ids.length;
    if (terms(text).length === 0) {
      status.textContent = "Skriv et søkeord. / Type a search term.";
    } else if (n === 0) {
      status.textContent = "Ingen treff på «" + text + "». / No results.";
    } else {
      status.textContent = n + " treff på «" + text + "»" +
        (result.partial ? " (ikke alle ordene / not all words)" : "") +
        (n > MAX_RESULTS ? ", viser " + MAX_RESULTS : "") + ". / " + n + " results.";
    }
  }

  function search(text) {
    return query(text).then(function (result) { render(text, result); });
  }

  window.archiveSearch = {
    fold: fold, words: words, stem: stem, terms: terms, shardKey: shardKey,
    query: query, search: search
  };

  var input = typeof document.getElementById === "function" && document.getElementById("q");
  if (!input) return;
  var q = new URLSearchParams(window.location.search).get("q");
  if (q) {
    input.value = q;
    search(q).then(function () {
      document.body.setAttribute("data-search-done", "");
    });
  }
})();
