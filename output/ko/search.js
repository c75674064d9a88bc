// initbook's search: the box in the sidebar, over the index the build writes (searchindex.js).
//
// The index is a script file, added to the page when it is first needed: from file:// a page may
// run a script file, while the fetch API, XHR and dynamic imports of local files are refused. Without
// JavaScript the search form stays hidden and every page still reads completely.
//
// A query word matches every indexed word it begins (case aside), so "satur" finds "saturation"
// and the Korean "학교" finds "학교에" (a particle attached). Sections that match every query word
// are ranked by how often and how rarely the words occur, with a bonus when the section's heading
// or the page's title has them. Keys: "/" or "s" focuses the box, Enter opens the first result,
// the arrow keys move through the results, Escape clears. "?search=TERM" in a page's URL opens it
// with that query.
(function () {
  'use strict';

  var form = document.getElementById('search');
  var input = document.getElementById('search-input');
  if (!form || !input) return;
  var status = form.querySelector('.search-status');
  var list = form.querySelector('.search-list');
  var GLOBAL = 'initbookSearchIndex';
  var MAX_RESULTS = 20;
  var SNIPPET_BEFORE = 60;
  var SNIPPET_LENGTH = 180;

  var segmenter = typeof Intl === 'object' && Intl.Segmenter
    ? new Intl.Segmenter(undefined, { granularity: 'word' })
    : null;

  // The words of a text, lowercased: Unicode word boundaries, as the index was built.
  function words(text) {
    text = text.toLowerCase();
    if (segmenter) {
      var found = [];
      for (var part of segmenter.segment(text)) {
        if (part.isWordLike) found.push(part.segment);
      }
      return found;
    }
    return text.match(/[\p{L}\p{N}\p{M}]+(?:['’.][\p{L}\p{N}\p{M}]+)*/gu) || [];
  }

  var index = null;
  var waiting = null;

  // Runs `then` once the index is loaded, loading it the first time.
  function withIndex(then) {
    if (index) return then();
    if (window[GLOBAL]) {
      index = prepare(window[GLOBAL]);
      return then();
    }
    if (!waiting) {
      waiting = [];
      var script = document.createElement('script');
      script.src = form.dataset.index;
      script.onload = function () {
        index = prepare(window[GLOBAL]);
        waiting.splice(0).forEach(function (f) { f(); });
      };
      document.head.appendChild(script);
    }
    waiting.push(then);
  }

  function prepare(raw) {
    return {
      pages: raw.pages,
      docs: raw.docs.map(function (d) {
        return {
          page: d[0],
          anchor: d[1],
          heading: d[2],
          text: d[3],
          headingWords: words(d[2]),
          titleWords: words(raw.pages[d[0]][1]),
        };
      }),
      terms: raw.terms,
      postings: raw.postings,
    };
  }

  // The first term not before `word` (terms are sorted as JavaScript compares strings).
  function lowerBound(terms, word) {
    var low = 0;
    var high = terms.length;
    while (low < high) {
      var mid = (low + high) >> 1;
      if (terms[mid] < word) low = mid + 1;
      else high = mid;
    }
    return low;
  }

  function startsAny(list, word) {
    return list.some(function (w) { return w.startsWith(word); });
  }

  // The best sections for `query`, each { doc, score }, best first.
  function search(query) {
    var queryWords = Array.from(new Set(words(query)));
    if (!queryWords.length) return { words: [], results: [] };
    var docs = index.docs;
    var total = docs.length;
    var scores = null;
    queryWords.forEach(function (word) {
      var found = new Map();
      for (var i = lowerBound(index.terms, word); i < index.terms.length && index.terms[i].startsWith(word); i++) {
        var postings = index.postings[i];
        var rarity = Math.log(1 + total / (postings.length / 2));
        var exact = index.terms[i] === word ? 1 : 0.6;
        for (var j = 0; j < postings.length; j += 2) {
          var weight = exact * rarity * (1 + Math.log(postings[j + 1]));
          found.set(postings[j], (found.get(postings[j]) || 0) + weight);
        }
      }
      found.forEach(function (score, d) {
        var bonus = 1;
        if (startsAny(docs[d].headingWords, word)) bonus += 2;
        if (startsAny(docs[d].titleWords, word)) bonus += 0.5;
        found.set(d, score * bonus);
      });
      if (scores === null) {
        scores = found;
      } else {
        var both = new Map();
        scores.forEach(function (score, d) {
          if (found.has(d)) both.set(d, score + found.get(d));
        });
        scores = both;
      }
    });
    var results = Array.from(scores, function (entry) { return { doc: entry[0], score: entry[1] }; });
    results.sort(function (a, b) { return b.score - a.score || a.doc - b.doc; });
    return { words: queryWords, results: results.slice(0, MAX_RESULTS) };
  }

  // Words beginning with a query word, for highlighting.
  function highlighter(queryWords) {
    var escaped = queryWords.map(function (w) { return w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'); });
    return new RegExp('(?<![\\p{L}\\p{N}\\p{M}])(?:' + escaped.join('|') +
      ')(?:[\\p{L}\\p{N}\\p{M}]|[\'’.](?=[\\p{L}\\p{N}]))*', 'giu');
  }

  // A piece of `text` around its first hit, the hits marked.
  function snippet(text, pattern) {
    pattern.lastIndex = 0;
    var first = pattern.exec(text);
    var start = first ? Math.max(0, first.index - SNIPPET_BEFORE) : 0;
    if (start > 0) {
      var space = text.indexOf(' ', start);
      start = space >= 0 && space < (first ? first.index : text.length) ? space + 1 : start;
    }
    var end = Math.min(text.length, start + SNIPPET_LENGTH);
    if (end < text.length) {
      var cut = text.lastIndexOf(' ', end);
      if (cut > start) end = cut;
    }
    var piece = text.slice(start, end);
    var out = document.createDocumentFragment();
    if (start > 0) out.append('… ');
    var at = 0;
    pattern.lastIndex = 0;
    for (var hit = pattern.exec(piece); hit; hit = pattern.exec(piece)) {
      out.append(piece.slice(at, hit.index));
      var mark = document.createElement('mark');
      mark.textContent = hit[0];
      out.append(mark);
      at = hit.index + hit[0].length;
    }
    out.append(piece.slice(at));
    if (end < text.length) out.append(' …');
    return out;
  }

  function element(tag, className, text) {
    var e = document.createElement(tag);
    e.className = className;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function show(query) {
    list.textContent = '';
    if (!query.trim()) {
      status.textContent = '';
      return;
    }
    if (!index) {
      status.textContent = form.dataset.loading;
      withIndex(function () { if (input.value === query) show(query); });
      return;
    }
    var found = search(query);
    var count = found.results.length;
    status.textContent = count === 0 ? form.dataset.none
      : count === 1 ? form.dataset.one
      : form.dataset.many.replace('{n}', count);
    var pattern = highlighter(found.words);
    found.results.forEach(function (result) {
      var doc = index.docs[result.doc];
      var page = index.pages[doc.page];
      var link = element('a', 'search-result');
      // A page's opening lands on the text column (`#content`), past the sidebar of a phone.
      link.href = page[0] + '#' + (doc.anchor ? encodeURIComponent(doc.anchor) : 'content');
      link.append(element('span', 'search-page', page[1]));
      if (doc.anchor) link.append(element('span', 'search-section', doc.heading));
      var text = element('span', 'search-snippet');
      text.append(snippet(doc.text, pattern));
      link.append(text);
      var item = document.createElement('li');
      item.append(link);
      list.append(item);
    });
  }

  function results() {
    return Array.from(list.querySelectorAll('a'));
  }

  // Typing in a field, so that "/" and "s" are letters, not shortcuts.
  function typing(target) {
    return target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName);
  }

  document.addEventListener('keydown', function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
    if (event.key === '/' || event.key === 's' || event.key === 'S') {
      event.preventDefault();
      input.focus();
      input.select();
    }
  });

  input.addEventListener('input', function () { show(input.value); });
  input.addEventListener('focus', function () { withIndex(function () {}); }, { once: true });

  form.addEventListener('submit', function (event) {
    event.preventDefault();
    var first = results()[0];
    if (first) first.click();
  });

  form.addEventListener('keydown', function (event) {
    var links = results();
    var at = links.indexOf(document.activeElement);
    if (event.key === 'ArrowDown' && links.length) {
      event.preventDefault();
      links[Math.min(at + 1, links.length - 1)].focus();
    } else if (event.key === 'ArrowUp' && at >= 0) {
      event.preventDefault();
      if (at === 0) input.focus();
      else links[at - 1].focus();
    } else if (event.key === 'Escape') {
      input.value = '';
      show('');
      input.focus();
    }
  });

  form.hidden = false;
  var initial = new URLSearchParams(location.search).get('search');
  if (initial) {
    input.value = initial;
    show(initial);
  }
})();
