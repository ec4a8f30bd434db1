// report.html's search (embedded by html.rs, pinned by its hash in the page's CSP).
// Matches as `stemme search` does: a typed word is split and lowercased by the analyzer's
// rules, looked up in the corpus's word -> term table (else stemmed by the Snowball port
// below and looked up among the terms), and matches a response holding that
// term as a word's stem or a compound part's; several words must all occur; OR, NOT/-,
// AND NOT, + and "phrases" as in the CLI. Field filters and brackets are refused with a note
// (the menus filter by field). Rows are put in with text nodes only, a page at a time.
(function () {
  'use strict';
  var D = JSON.parse(document.getElementById('data').textContent);
  var PAGE = 50, CUT = 300, DEBOUNCE_MS = 30;
  var n = D.ids.length;
  var WORD = /[\p{Alphabetic}\p{N}\u0300-\u036f]+/gu;

  // Terms of each token kind: [stem, parts...]; a join part is -(id+1).
  var kindTerms = D.kinds.map(function (k) { return k.map(function (t) { return t < 0 ? -t - 1 : t; }); });
  var nTerms = 0;
  kindTerms.forEach(function (k) { k.forEach(function (t) { if (t >= nTerms) nTerms = t + 1; }); });
  // Postings: term -> ascending rows holding it as a stem or a part.
  var post = new Array(nTerms), last = new Int32Array(nTerms).fill(-1);
  for (var r = 0; r < n; r++) {
    var toks = D.tokens[r];
    for (var i = 0; i < toks.length; i++) {
      var ts = kindTerms[toks[i]];
      for (var j = 0; j < ts.length; j++) {
        var t = ts[j];
        if (last[t] !== r) { last[t] = r; (post[t] || (post[t] = [])).push(r); }
      }
    }
  }

  function lower(w) {
    var out = '';
    for (var c of w) {
      if (c === '\u00e4' || c === '\u00c4') out += '\u00e6';
      else if (c === '\u00f6' || c === '\u00d6') out += '\u00f8';
      else out += c.toLowerCase();
    }
    return out;
  }
  // The words of a text as typed (NFC); term() lowercases them.
  function words(s) { return s.normalize('NFC').match(WORD) || []; }
  // An acronym as the analyzer reads one: two to five characters, two or more capitals, no small letters.
  function acronym(raw) {
    var n = Array.from(raw).length;
    return n >= 2 && n <= 5 && (raw.match(/\p{Uppercase}/gu) || []).length >= 2 && !/\p{Lowercase}/u.test(raw);
  }
  // snowball:begin
  // The Snowball Norwegian stemmer (as rust-stemmers 1.2 runs it), on a lowercased word.
  var VOWELS = 'aeiouy\u00e5\u00e6\u00f8', S_ENDING = 'bcdfghjlmnoprtvyz';
  var MAIN = [['hetenes', 1], ['hetene', 1], ['hetens', 1], ['heten', 1], ['heter', 1], ['endes', 1],
    ['edes', 1], ['enes', 1], ['ande', 1], ['ende', 1], ['erte', 3], ['ast', 1], ['ede', 1], ['ane', 1],
    ['ene', 1], ['ens', 1], ['ers', 1], ['ets', 1], ['het', 1], ['ert', 3], ['as', 1], ['es', 1],
    ['en', 1], ['ar', 1], ['er', 1], ['et', 1], ['a', 1], ['e', 1], ['s', 2]];
  var OTHER = ['hetslov', 'eleg', 'elig', 'elov', 'slov', 'leg', 'eig', 'lig', 'els', 'lov', 'ig'];
  function snowball(word) {
    var w = Array.from(word), n = w.length, p1 = n, i = 0;
    function vowel(c) { return c !== undefined && VOWELS.indexOf(c) >= 0; }
    if (n >= 3) {
      while (i < n && !vowel(w[i])) i++;
      while (i < n && vowel(w[i])) i++;
      if (i < n) p1 = Math.max(i + 1, 3);
    }
    function ends(s) {
      if (n - s.length < p1) return false;
      for (var k = 0; k < s.length; k++) if (w[n - s.length + k] !== s[k]) return false;
      return true;
    }
    for (var m = 0; m < MAIN.length; m++) {
      if (!ends(MAIN[m][0])) continue;
      var act = MAIN[m][1], c = w[n - 2];
      if (act === 1) n -= MAIN[m][0].length;
      else if (act === 3) { n -= MAIN[m][0].length; w[n] = 'e'; w[n + 1] = 'r'; n += 2; }
      else if (n >= 2 && S_ENDING.indexOf(c) >= 0) n -= 1;
      else if (n >= 3 && c === 'k' && !vowel(w[n - 3])) n -= 1;
      break;
    }
    if (n - 2 >= p1 && (w[n - 2] === 'd' || w[n - 2] === 'v') && w[n - 1] === 't') n -= 1;
    for (var o = 0; o < OTHER.length; o++) if (ends(OTHER[o])) { n -= OTHER[o].length; break; }
    return w.slice(0, n).join('');
  }
  // snowball:end
  var termOf = new Map();
  D.terms.forEach(function (s, id) { termOf.set(s, id); });
  // A word the table lacks is one the lexicon does not inflect: the CLI stems it as is.
  // An acronym typed in capitals is its own term (`KS`), unless the table says otherwise.
  function term(raw) {
    var w = lower(raw), has = Object.prototype.hasOwnProperty;
    if (acronym(raw)) {
      if (has.call(D.acronyms, w)) return D.acronyms[w];
      var a = termOf.get(w);
      return a === undefined ? -1 : a;
    }
    if (has.call(D.words, w)) return D.words[w];
    var id = termOf.get(snowball(w));
    return id === undefined ? -1 : id;
  }

  // Query -> {must: [[unit...]...], not: [unit...], terms: [...] to highlight, unknown: [...],
  // refused: string|null}. A unit is a list of terms (one word, or a phrase: a quoted text,
  // or a word the analyzer splits, like tverr-kommunalt). As in the CLI's parser, a clause
  // joined by OR forms one group of which any may match, every group is required ("must"),
  // -x and NOT x excluded: OR binds tighter than words side by side (`a OR b c` is
  // `(a OR b) AND c`).
  function parse(q) {
    var out = { must: [], not: [], terms: [], unknown: [], refused: null };
    var re = /"([^"]*)"?|(\S+)/g, m, pendingOr = false, negate = false, last = null;
    while ((m = re.exec(q))) {
      var lit = m[1] !== undefined ? m[1] : m[2], quoted = m[1] !== undefined, sign = '';
      if (!quoted) {
        if (lit === 'AND') continue;
        if (lit === 'OR') {
          pendingOr = last === 'must';
          continue;
        }
        if (lit === 'NOT') { negate = true; continue; }
        if (/[()]/.test(lit) || /^[+-]?[\p{L}\p{N}_.]+:/u.test(lit)) {
          out.refused = lit; continue;
        }
        if ((lit[0] === '+' || lit[0] === '-') && lit.length > 1) { sign = lit[0]; lit = lit.slice(1); }
      }
      var ws = words(lit);
      if (!ws.length) { negate = false; continue; }
      var unit = ws.map(function (w) {
        var t = term(w);
        if (t < 0) out.unknown.push(w); else out.terms.push(t);
        return t;
      });
      // As in the CLI, a hyphenated word (tverr-kommunalt) also matches written joined.
      if (!quoted && ws.length === 2 && /^[+-]?[\p{L}\p{N}]+-[\p{L}\p{N}]+$/u.test(m[2])) {
        var alt = term(ws.join(''));
        if (alt >= 0) { unit.alt = alt; out.terms.push(alt); }
      }
      last = negate || sign === '-' ? 'not' : 'must';
      if (last === 'not') out.not.push(unit);
      else if (pendingOr && sign !== '+') out.must[out.must.length - 1].push(unit);
      else out.must.push([unit]);
      negate = false; pendingOr = false;
    }
    return out;
  }

  function intersect(a, b) {
    var out = [], i = 0, j = 0;
    while (i < a.length && j < b.length) {
      if (a[i] === b[j]) { out.push(a[i]); i++; j++; } else if (a[i] < b[j]) i++; else j++;
    }
    return out;
  }
  function union(a, b) {
    var out = [], i = 0, j = 0;
    while (i < a.length || j < b.length) {
      if (j >= b.length || (i < a.length && a[i] < b[j])) out.push(a[i++]);
      else if (i >= a.length || b[j] < a[i]) out.push(b[j++]);
      else { out.push(a[i]); i++; j++; }
    }
    return out;
  }
  // A phrase holds in a row when its terms stand at consecutive positions as the words'
  // stems (as in the CLI, phrases match whole words, not compound parts).
  function phraseAt(toks, p, unit) {
    for (var k = 0; k < unit.length; k++) {
      if (kindTerms[toks[p + k]][0] !== unit[k]) return false;
    }
    return true;
  }
  function rowsOf(unit) {
    var rows = phraseRows(unit);
    return unit.alt === undefined ? rows : union(rows, post[unit.alt] || []);
  }
  function phraseRows(unit) {
    if (unit.indexOf(-1) >= 0) return [];
    var rows = post[unit[0]] || [];
    if (unit.length === 1) return rows;
    for (var k = 1; k < unit.length; k++) rows = intersect(rows, post[unit[k]] || []);
    return rows.filter(function (r) {
      var toks = D.tokens[r];
      for (var p = 0; p + unit.length <= toks.length; p++) {
        if (phraseAt(toks, p, unit)) return true;
      }
      return false;
    });
  }
  // Every required group (any of its words), never an excluded one.
  function search(parsed) {
    if (parsed.refused || (!parsed.must.length && !parsed.not.length)) return null;
    // Only words to leave out: every response without them, as in the CLI.
    var rows = parsed.must.length ? null : Array.from({ length: n }, function (_, i) { return i; });
    parsed.must.forEach(function (group) {
      var any = [];
      group.forEach(function (u) { any = union(any, rowsOf(u)); });
      rows = rows === null ? any : intersect(rows, any);
    });
    var not = [];
    parsed.not.forEach(function (u) { not = union(not, rowsOf(u)); });
    if (!not.length) return rows;
    var skip = new Set(not);
    return rows.filter(function (r) { return !skip.has(r); });
  }

  // Filters: one <select> per facet beyond theme and scope's own columns.
  var filtersBox = document.getElementById('filters'), selects = [];
  D.facets.forEach(function (f, fi) {
    var sel = document.createElement('select');
    sel.setAttribute('aria-label', f.label);
    sel.dataset.facet = f.key;
    var all = document.createElement('option');
    all.value = ''; all.textContent = 'all: ' + f.label;
    sel.appendChild(all);
    f.values.forEach(function (v, vi) {
      var o = document.createElement('option');
      o.value = String(vi); o.textContent = v + ' (' + f.counts[vi] + ')';
      sel.appendChild(o);
    });
    sel.addEventListener('change', update);
    filtersBox.appendChild(sel);
    selects[fi] = sel;
  });
  function facetHas(f, r, v) {
    var x = f.rows[r];
    return typeof x === 'number' ? x === v : x.indexOf(v) >= 0;
  }
  function facetText(f, r) {
    var x = f.rows[r];
    if (typeof x === 'number') return x < 0 ? '' : f.values[x];
    return x.map(function (v) { return f.values[v]; }).join(', ');
  }

  var q = document.getElementById('q'), tbody = document.querySelector('#responses tbody');
  var shownEl = document.getElementById('shown'), note = document.getElementById('note'), more = document.getElementById('more');
  var state = { rows: [], hl: new Set(), limit: PAGE, query: '' };

  // Highlight ranges as the CLI marks them: a word whose stem or a part is a query term;
  // a match through a hyphen join covers both halves; overlapping ranges are skipped.
  function ranges(r, text) {
    var out = [], toks = D.tokens[r], found = [], m;
    if (!state.hl.size) return out;
    WORD.lastIndex = 0;
    while ((m = WORD.exec(text))) found.push([m.index, m.index + m[0].length]);
    if (found.length !== toks.length) return out;
    for (var i = 0; i < toks.length; i++) {
      var kind = D.kinds[toks[i]], hit = false, join = false;
      for (var k = 0; k < kind.length; k++) {
        var t = kind[k] < 0 ? -kind[k] - 1 : kind[k];
        if (state.hl.has(t)) { hit = true; if (kind[k] < 0) join = true; }
      }
      if (!hit) continue;
      var end = join && i + 1 < found.length ? found[i + 1][1] : found[i][1];
      if (!out.length || found[i][0] >= out[out.length - 1][1]) out.push([found[i][0], end]);
    }
    return out;
  }
  function fill(el, text, marks, from, to) {
    var pos = from;
    marks.forEach(function (m) {
      if (m[1] <= from || m[0] >= to) return;
      var a = Math.max(m[0], from), b = Math.min(m[1], to);
      if (a > pos) el.appendChild(document.createTextNode(text.slice(pos, a)));
      var mk = document.createElement('mark');
      mk.textContent = text.slice(a, b);
      el.appendChild(mk);
      pos = b;
    });
    if (pos < to) el.appendChild(document.createTextNode(text.slice(pos, to)));
  }
  // A long text shows about CUT characters (from just before the first match) and a button.
  function textCell(r) {
    var td = document.createElement('td'), text = D.texts[r], marks = ranges(r, text);
    td.className = 'text';
    var body = document.createElement('span');
    td.appendChild(body);
    if (text.length <= CUT) {
      fill(body, text, marks, 0, text.length);
    } else {
      var from = 0;
      if (marks.length && marks[0][1] > CUT - 40) {
        from = text.lastIndexOf(' ', Math.max(0, marks[0][0] - 60)) + 1;
      }
      var to = Math.min(text.length, from + CUT), sp = text.lastIndexOf(' ', to);
      if (sp > from + CUT / 2 && to < text.length) to = sp;
      if (from > 0) body.appendChild(document.createTextNode('\u2026 '));
      fill(body, text, marks, from, to);
      if (to < text.length) body.appendChild(document.createTextNode(' \u2026'));
      var btn = document.createElement('button');
      btn.type = 'button'; btn.className = 'show'; btn.textContent = 'show more';
      btn.addEventListener('click', function () {
        body.textContent = '';
        fill(body, text, marks, 0, text.length);
        btn.remove();
      });
      td.appendChild(btn);
    }
    var sub = [];
    for (var fi = 2; fi < D.facets.length; fi++) {
      var v = facetText(D.facets[fi], r);
      if (v) sub.push(D.facets[fi].label + ': ' + v);
    }
    if (sub.length) {
      var s = document.createElement('span');
      s.className = 'sub'; s.textContent = sub.join(' \u00b7 ');
      td.appendChild(s);
    }
    return td;
  }
  var SCOPES = { local: 1, national: 1, both: 1, unspecified: 1 };
  function rowEl(r) {
    var tr = document.createElement('tr');
    tr.dataset.id = D.ids[r];
    var id = document.createElement('td');
    id.className = 'id'; id.textContent = D.ids[r];
    tr.appendChild(id);
    tr.appendChild(textCell(r));
    var th = document.createElement('td');
    th.textContent = facetText(D.facets[0], r);
    tr.appendChild(th);
    var sc = document.createElement('td'), tag = document.createElement('span'), scope = facetText(D.facets[1], r);
    tag.className = 'tag' + (SCOPES[scope] ? ' ' + scope : '');
    tag.textContent = scope;
    sc.appendChild(tag);
    tr.appendChild(sc);
    return tr;
  }
  function draw() {
    var frag = document.createDocumentFragment(), upto = Math.min(state.limit, state.rows.length);
    for (var i = tbody.rows.length; i < upto; i++) frag.appendChild(rowEl(state.rows[i]));
    tbody.appendChild(frag);
    more.hidden = upto >= state.rows.length;
    more.textContent = 'show ' + Math.min(PAGE, state.rows.length - upto) + ' more of ' + (state.rows.length - upto);
  }

  function update() {
    var query = q.value, parsed = parse(query.trim()), rows = null;
    if (query.trim()) {
      rows = search(parsed) || [];
    } else {
      rows = [];
      for (var r = 0; r < n; r++) rows.push(r);
    }
    var active = [];
    selects.forEach(function (sel, fi) { if (sel.value !== '') active.push([D.facets[fi], Number(sel.value)]); });
    if (active.length) {
      rows = rows.filter(function (r) {
        return active.every(function (a) { return facetHas(a[0], r, a[1]); });
      });
    }
    state.rows = rows;
    state.hl = new Set(parsed.terms);
    state.limit = PAGE;
    tbody.textContent = '';
    draw();
    shownEl.textContent = rows.length + ' of ' + n + ' responses';
    var msg = '';
    if (parsed.refused) msg = '\u2018' + parsed.refused + '\u2019: field filters and brackets work in stemme search; here, use the menus.';
    else if (parsed.unknown.length) msg = 'Not in these responses: ' + parsed.unknown.join(', ') + '.';
    note.textContent = msg ? '\u2014 ' + msg : '';
    document.body.dataset.query = query;
  }

  var timer = 0;
  q.addEventListener('input', function () {
    clearTimeout(timer);
    timer = setTimeout(update, DEBOUNCE_MS);
  });
  more.addEventListener('click', function () { state.limit += PAGE; draw(); });
  document.getElementById('clear').addEventListener('click', function () {
    q.value = '';
    selects.forEach(function (s) { s.value = ''; });
    update();
  });
  function showResults() { document.getElementById('search').scrollIntoView(); }
  Array.prototype.forEach.call(document.querySelectorAll('button.word'), function (b) {
    b.addEventListener('click', function () { q.value = b.dataset.word; update(); showResults(); });
  });
  Array.prototype.forEach.call(document.querySelectorAll('button.theme'), function (b) {
    b.addEventListener('click', function () {
      var vi = D.facets[0].values.indexOf(b.dataset.theme);
      selects[0].value = vi < 0 ? '' : String(vi);
      update(); showResults();
    });
  });
  update();
  document.body.dataset.ready = '1';
})();
