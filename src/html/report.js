// SPDX-License-Identifier: GPL-3.0-or-later
// report.html's per-track view: draws one page of tracks from the JSON in #track-data. Every text
// from the data goes through textContent or setAttribute, never through HTML parsing.
'use strict';
(() => {
  const data = JSON.parse(document.getElementById('track-data').textContent);
  const byId = (id) => document.getElementById(id);
  const controls = {
    search: byId('track-search'), filter: byId('track-filter'), size: byId('track-page-size'),
    prev: byId('track-prev'), next: byId('track-next'), status: byId('track-status'),
    list: byId('track-list'), view: byId('track-view'),
  };
  const state = { words: [], filter: 0, page: 0, size: Number(controls.size.value) };
  // What a search matches: file name, track id and genres, lower case, built once.
  const haystacks = data.tracks.map((t) => [t.file, t.id, ...t.genres].join('\n').toLowerCase());
  const number = new Intl.NumberFormat('en');

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function matching() {
    const found = [];
    for (let i = 0; i < data.tracks.length; i++) {
      if (state.filter && !(data.tracks[i].marks & state.filter)) continue;
      if (state.words.every((w) => haystacks[i].includes(w))) found.push(i);
    }
    return found;
  }

  // The caption with each claim's span marked by its verdict; overlapping claims keep the first.
  function caption(text, claims) {
    const p = el('p', 'cap');
    let at = 0;
    for (const [begin, end, verdict, note] of [...claims].sort((a, b) => a[0] - b[0])) {
      if (begin < at || end > text.length) continue;
      p.append(text.slice(at, begin));
      const mark = el('mark', 'v-' + data.verdicts[verdict], text.slice(begin, end));
      mark.title = note;
      p.append(mark);
      at = end;
    }
    p.append(text.slice(at));
    return p;
  }

  // One model's caption (or failure) of a step; `named` adds the phase to the model's name.
  function step(s, named) {
    const [phase, model, , failed, text, flags, error, claims, hintKind, hint] = s;
    const blocked = flags.some((f) => data.flags[f][1]);
    const box = el('div', 'step' + (failed ? ' failed' : blocked ? ' flagged' : ''));
    const who = el('div', 'who', (named ? data.phases[phase] + ' \u00b7 ' : '') + data.models[model]);
    if (hintKind) who.append(el('span', hintKind === 2 ? 'hint wrong' : 'hint', (hintKind === 2 ? 'wrong hint: ' : 'hint: ') + hint));
    box.append(who);
    if (failed) box.append(el('p', 'error', 'failed: ' + error));
    else if (text) box.append(caption(text, claims));
    else box.append(el('p', 'empty', '(empty caption)'));
    for (const f of flags) {
      const [name, keepsOut] = data.flags[f];
      const chip = el('span', keepsOut ? 'flag block' : 'flag', name);
      if (keepsOut) chip.title = 'keeps the caption out of training';
      box.append(chip);
    }
    return box;
  }

  function facts(t) {
    const dl = el('dl', 'facts');
    const add = (name, value) => {
      const row = el('div');
      row.append(el('dt', '', name), el('dd', '', value));
      dl.append(row);
    };
    if (t.facts) {
      add('tempo', t.facts.tempo);
      add('key', t.facts.key);
      add('loudness', t.facts.loudness);
      add('duration', t.facts.duration);
    } else {
      add('facts', 'not measured');
    }
    return dl;
  }

  function header(t) {
    const head = el('div', 'track-head');
    const title = el('h3', '', t.file ? t.file.split('/').pop() : t.id);
    title.append(el('span', 'path', t.file || 'no track row'));
    head.append(title, facts(t));
    const genres = el('div', 'genres');
    for (const g of t.genres) genres.append(el('span', 'genre', g));
    if (t.source) genres.title = 'genres from ' + t.source;
    head.append(genres);
    if (t.marks & 1) head.append(el('span', 'badge', 'failed steps'));
    if (t.marks & 2) head.append(el('span', 'badge', 'contradicted claims'));
    if (t.marks & 4) head.append(el('span', 'badge', 'flagged captions'));
    if (t.audio) {
      const audio = el('audio');
      audio.controls = true;
      audio.preload = 'none';  // before src: nothing is read until the user presses play
      audio.setAttribute('src', t.audio);
      audio.setAttribute('aria-label', 'play ' + t.file);
      head.append(audio);
    }
    return head;
  }

  // A phase none of whose prompts another phase of the track has (the measured-facts template) is
  // a line under the header instead of a column and a row of its own.
  function solo(t) {
    const phasesOf = new Map();
    for (const s of t.steps) {
      if (!phasesOf.has(s[2])) phasesOf.set(s[2], new Set());
      phasesOf.get(s[2]).add(s[0]);
    }
    const phases = new Set(t.steps.map((s) => s[0]));
    if (phases.size < 2) return new Set();
    return new Set([...phases].filter((p) => t.steps.every((s) => s[0] !== p || phasesOf.get(s[2]).size === 1)));
  }

  // Phases as columns and prompts as rows, only those the track has.
  function grid(steps) {
    const cells = new Map();
    const phases = new Set(), prompts = new Set();
    for (const s of steps) {
      phases.add(s[0]);
      prompts.add(s[2]);
      const key = s[0] + ' ' + s[2];
      if (!cells.has(key)) cells.set(key, []);
      cells.get(key).push(s);
    }
    const columns = [...phases].sort((a, b) => a - b), rows = [...prompts].sort((a, b) => a - b);
    const table = el('table', 'grid');
    table.style.setProperty('--cols', String(columns.length));
    const head = el('tr');
    head.append(el('th', '', 'prompt'));
    for (const p of columns) head.append(Object.assign(el('th', '', data.phases[p]), { scope: 'col' }));
    table.append(el('thead'));
    table.tHead.append(head);
    const body = el('tbody');
    for (const q of rows) {
      const tr = el('tr');
      tr.append(Object.assign(el('th', '', data.prompts[q]), { scope: 'row' }));
      for (const p of columns) {
        const td = el('td');
        for (const s of cells.get(p + ' ' + q) || []) td.append(step(s));
        tr.append(td);
      }
      body.append(tr);
    }
    table.append(body);
    const wrap = el('div', 'grid-wrap');
    wrap.append(table);
    return wrap;
  }

  function card(i) {
    const t = data.tracks[i];
    const section = el('article', 'track');
    section.id = 'track-' + i;
    section.append(header(t));
    const lines = solo(t);
    if (lines.size) {
      const box = el('div', 'solo');
      for (const s of t.steps) if (lines.has(s[0])) box.append(step(s, true));
      section.append(box);
    }
    const rest = t.steps.filter((s) => !lines.has(s[0]));
    if (rest.length) section.append(grid(rest));
    else if (!t.steps.length) section.append(el('p', 'empty', 'no stored steps'));
    return section;
  }

  function render() {
    const found = matching();
    const pages = Math.max(1, Math.ceil(found.length / state.size));
    state.page = Math.min(state.page, pages - 1);
    const first = state.page * state.size;
    const shown = found.slice(first, first + state.size);
    controls.status.textContent = found.length
      ? `tracks ${number.format(first + 1)}-${number.format(first + shown.length)} of ${number.format(found.length)}` +
        (found.length < data.tracks.length ? ` matching (of ${number.format(data.tracks.length)})` : '') +
        `, page ${state.page + 1} of ${pages}`
      : 'no track matches';
    controls.prev.disabled = state.page === 0;
    controls.next.disabled = state.page >= pages - 1;
    controls.list.replaceChildren(...shown.map((i) => {
      const item = el('li');
      const link = el('a', '', data.tracks[i].file || data.tracks[i].id);
      link.href = '#track-' + i;
      item.append(link);
      return item;
    }));
    controls.list.start = first + 1;
    controls.view.replaceChildren(...shown.map(card));
  }

  let typing = 0;
  controls.search.addEventListener('input', () => {
    clearTimeout(typing);
    typing = setTimeout(() => {
      state.words = controls.search.value.toLowerCase().split(/\s+/).filter(Boolean);
      state.page = 0;
      render();
    }, 150);
  });
  controls.filter.addEventListener('change', () => { state.filter = Number(controls.filter.value); state.page = 0; render(); });
  controls.size.addEventListener('change', () => { state.size = Number(controls.size.value); state.page = 0; render(); });
  const turn = (by) => { state.page += by; render(); controls.list.scrollIntoView({ block: 'nearest' }); };
  controls.prev.addEventListener('click', () => turn(-1));
  controls.next.addEventListener('click', () => turn(1));
  render();
})();
