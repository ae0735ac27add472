// luanma's debugging page: sends the input to POST /v1/repair and shows the
// answer. No repair logic lives here. All text from the user or the service
// goes into the page through textContent / text nodes, never as HTML.
//
// Offsets from the API count code points; JavaScript strings count UTF-16
// units, so every span offset goes through codePointUnits() before slicing.
'use strict';

// Limits of what is drawn (the whole result is always downloadable).
const SHOW_CHARS = 50000;        // code points of the input and of the output drawn
const SHOW_SPANS = 1000;         // spans listed
const SHOW_SPAN_TEXT = 200;      // code points of a span's original/repaired in the list
const INLINE_CURL_CHARS = 2000;  // longer JSON bodies go to a request.json file
const HIGH = 0.9, MEDIUM = 0.5;  // confidence bands (the README's bands)

const $ = (id) => document.getElementById(id);
let currentFile = null;   // a File chosen or dropped; wins over the text box
let requestNumber = 0;    // answers to superseded requests are dropped
const objectUrls = {};    // download links' Blob URLs, revoked when replaced

// ---- code points and UTF-16 -------------------------------------------------

// units[i] = UTF-16 offset of code point i, for i = 0 .. min(limit, count).
function codePointUnits(text, limit) {
  const units = [0];
  let u = 0;
  for (const ch of text) {          // string iteration yields whole code points
    if (units.length > limit) break;
    u += ch.length;
    units.push(u);
  }
  return units;
}

function countCodePoints(text) {
  let n = text.length;
  for (let i = 0; i < text.length - 1; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) { n--; i++; }
    }
  }
  return n;
}

// The first `limit` code points of `text`, with an ellipsis when cut.
function cutText(text, limit) {
  const units = codePointUnits(text, limit);
  const end = units[units.length - 1];
  return end < text.length ? text.slice(0, end) + '…' : text;
}

// ---- small helpers -----------------------------------------------------------

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === 'class') node.className = v;
    else if (k === 'text') node.textContent = v;
    else node.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children) node.append(c);   // strings become text nodes
  return node;
}

const percent = (x) => (x * 100).toFixed(2) + '%';
const band = (x) => (x >= HIGH ? 'high' : x >= MEDIUM ? 'medium' : 'low');
const number = (n) => n.toLocaleString('en');
const shellQuote = (s) => "'" + s.replace(/'/g, "'\\''") + "'";

function unrepaired(span) {
  return span.kind === 'lost' || span.repaired === span.original;
}

function setDownload(id, content, type, filename) {
  const link = $(id);
  if (objectUrls[id]) URL.revokeObjectURL(objectUrls[id]);
  objectUrls[id] = URL.createObjectURL(new Blob([content], { type }));
  link.href = objectUrls[id];
  link.download = filename;
}

// ---- drawing a text with its spans ----------------------------------------------

// ranges: [{start, end, index, span}] in code points of `text`;
// marks: Map code point -> 'lost' | 'guessed' (single characters).
// Draws the first SHOW_CHARS code points; returns how many were drawn.
function drawText(container, text, ranges, marks) {
  const units = codePointUnits(text, SHOW_CHARS);
  const n = units.length - 1;
  const points = new Set([0, n]);
  for (const r of ranges) {
    if (r.start <= n) points.add(r.start);
    if (r.end <= n) points.add(r.end);
  }
  for (const p of marks.keys()) if (p < n) { points.add(p); points.add(p + 1); }
  const cuts = [...points].sort((a, b) => a - b);
  const byStart = ranges.filter((r) => r.start <= n)
    .sort((a, b) => a.start - b.start || a.end - b.end);

  const frag = document.createDocumentFragment();
  let active = [], k = 0, openMark = null, openKey = '';
  for (let i = 0; i < cuts.length; i++) {
    const a = cuts[i];
    while (k < byStart.length && byStart[k].start <= a) {
      const r = byStart[k++];
      if (r.end === r.start) {          // text removed here (a ruby annotation)
        frag.append(spanMark([r], true));
        openMark = null; openKey = '';
      } else {
        active.push(r);
      }
    }
    active = active.filter((r) => r.end > a);
    if (i + 1 === cuts.length) break;
    const b = cuts[i + 1];
    const piece = text.slice(units[a], units[b]);
    const node = marks.has(a) && b === a + 1
      ? el('span', { class: marks.get(a) + '-char',
                     title: marks.get(a) === 'lost' ? 'lost character: its bytes are gone'
                                                    : 'character guessed back from lost bytes' },
           piece)
      : document.createTextNode(piece);
    if (!active.length) {
      frag.append(node);
      openMark = null; openKey = '';
      continue;
    }
    const key = active.map((r) => r.index).join(' ');
    if (key !== openKey) {
      openMark = spanMark(active, false);
      openKey = key;
      frag.append(openMark);
    }
    openMark.append(node);
  }
  container.replaceChildren(frag);
  return n;
}

// A <mark> for the spans covering one stretch; the last one gives its look.
function spanMark(covering, removed) {
  const last = covering[covering.length - 1].span;
  const classes = ['span', 'kind-' + last.kind];
  if (removed) classes.push('removed');
  if (unrepaired(last)) classes.push('unrepaired');
  else if (last.confidence < HIGH) classes.push('low');
  const title = covering.map(({ index, span }) =>
    `#${index + 1} ${span.kind}, confidence ${percent(span.confidence)}` +
    (removed ? `: removed ${JSON.stringify(cutText(span.original, 40))}` : '')).join('\n');
  return el('mark', { class: classes.join(' '), 'data-spans': covering.map((r) => r.index).join(' '),
                      title });
}

// U+FFFD characters inside `lost` spans, plus the spans' own lost/guessed offsets.
function charMarks(text, spans, side) {
  const marks = new Map();
  const units = codePointUnits(text, SHOW_CHARS);
  spans.forEach((span) => {
    const start = side === 'in' ? span.start : span.out_start;
    const end = side === 'in' ? span.end : span.out_end;
    if (span.kind === 'lost') {
      for (let p = start; p < Math.min(end, units.length - 1); p++) {
        if (text.slice(units[p], units[p + 1]) === '\ufffd') marks.set(p, 'lost');
      }
    }
    if (side === 'out') {
      for (const g of span.guessed) marks.set(start + g, 'guessed');
      for (const l of span.lost) marks.set(start + l, 'lost');
    }
  });
  return marks;
}

// ---- the result ------------------------------------------------------------------

function showResult(result, sent) {
  $('error').hidden = true;
  $('result').hidden = false;

  const conf = result.confidence;
  $('confidence').textContent = `${percent(conf)} (${band(conf)})`;
  $('confidence').className = 'band-' + band(conf);
  $('confidence-meter').value = conf;
  $('changed').textContent = result.changed ? 'yes' : 'no: the text came back as it was';
  $('encoding').textContent = sent.file
    ? `${result.encoding} (${number(sent.file.size)} bytes decoded)`
    : 'none: text input';
  const notRepaired = result.spans.filter(unrepaired).length;
  $('span-count').textContent = String(result.spans.length) +
    (notRepaired ? ` (${notRepaired} not repaired)` : '');
  $('warnings').replaceChildren(...result.warnings.map((w) => el('li', { text: w })));

  const spans = result.spans;
  const outRanges = spans.map((span, index) => ({ start: span.out_start, end: span.out_end, index, span }));
  const shownOut = drawText($('out-text'), result.text, outRanges, charMarks(result.text, spans, 'out'));
  const outTotal = countCodePoints(result.text);

  let inTotal = 0, shownIn = 0;
  if (sent.file) {
    $('in-text').replaceChildren();
    $('in-text').hidden = true;
    $('in-note').hidden = false;
    $('in-note').textContent = `${sent.file.name}: ${number(sent.file.size)} bytes, decoded as ` +
      `${result.encoding}. The service does not send back the decoded input, so spans are ` +
      'marked in the repaired text only; the span list below shows each span\'s original text ' +
      'and its byte offsets in the file.';
  } else {
    $('in-text').hidden = false;
    $('in-note').hidden = true;
    const inRanges = spans.map((span, index) => ({ start: span.start, end: span.end, index, span }));
    shownIn = drawText($('in-text'), sent.text, inRanges, charMarks(sent.text, spans, 'in'));
    inTotal = countCodePoints(sent.text);
  }
  const cut = shownOut < outTotal || shownIn < inTotal;
  $('truncated').hidden = !cut;
  $('truncated').textContent = cut
    ? `Long text: showing the first ${number(SHOW_CHARS)} characters of each side ` +
      `(the repaired text has ${number(outTotal)}` +
      (sent.file ? ')' : `, the input ${number(inTotal)})`) +
      '. Download the whole result below.'
    : '';
  const base = sent.file ? sent.file.name.replace(/\.[^.]*$/, '') : 'luanma';
  setDownload('download', result.text, 'text/plain;charset=utf-8', `${base}.repaired.txt`);

  drawSpanList(spans);
  $('steps').replaceChildren(...result.steps.map((step) => el('li', {},
    el('strong', { text: step.action }),
    step.parameter ? ` (${step.parameter})` : '',
    ': ', step.explanation,
    step.edits.length ? ` (${step.edits.length} edit${step.edits.length === 1 ? '' : 's'})` : '')));
  if (!result.steps.length) $('steps').append(el('li', { text: 'none: nothing was changed' }));
}

function drawSpanList(spans) {
  const items = spans.slice(0, SHOW_SPANS).map((span, index) => {
    const bad = unrepaired(span);
    const where = [`characters ${span.start}–${span.end} of the input`,
                   `${span.out_start}–${span.out_end} of the output`];
    if (span.start_byte !== null) where.push(`bytes ${span.start_byte}–${span.end_byte} of the file`);
    if (span.guessed.length) where.push(`${span.guessed.length} character(s) guessed back`);
    if (span.lost.length) where.push(`${span.lost.length} character(s) lost`);
    return el('li', { id: `span-${index + 1}`, 'data-spans': String(index),
                      class: 'kind-' + span.kind + (bad ? ' unrepaired' : '') },
      el('div', { class: 'span-head' },
        el('button', { type: 'button', class: 'show', 'data-index': String(index),
                       'aria-label': `Show span ${index + 1} in the text` }, `#${index + 1}`),
        ' ', el('strong', { text: span.kind }),
        ' ', el('span', { class: 'band-' + band(span.confidence),
                          text: `confidence ${percent(span.confidence)}` }),
        bad ? el('span', { class: 'badge', text: span.kind === 'lost' ? 'lost' : 'not repaired' }) : ''),
      el('div', { class: 'span-change' },
        el('span', { class: 'orig', lang: 'zh', text: cutText(span.original, SHOW_SPAN_TEXT) }),
        ' → ',
        span.repaired === ''
          ? el('em', { text: '(removed)' })
          : el('span', { class: 'rep', lang: 'zh', text: cutText(span.repaired, SHOW_SPAN_TEXT) })),
      el('div', { class: 'span-expl', text: span.explanation }),
      el('div', { class: 'span-where', text: where.join('; ') }));
  });
  $('spans').replaceChildren(...items);
  if (!spans.length) $('spans').append(el('li', { text: 'none: no span was changed or found damaged' }));
  $('spans-note').hidden = spans.length <= SHOW_SPANS;
  $('spans-note').textContent = `Listing the first ${number(SHOW_SPANS)} of ${number(spans.length)} spans.`;
}

function activate(index, scroll) {
  for (const node of document.querySelectorAll('.active')) node.classList.remove('active');
  const hits = document.querySelectorAll(`[data-spans~="${index}"]`);
  for (const node of hits) node.classList.add('active');
  if (scroll) {
    for (const pane of ['in-text', 'out-text']) {
      const first = $(pane).querySelector(`[data-spans~="${index}"]`);
      if (first) first.scrollIntoView({ block: 'nearest' });
    }
  }
}

// ---- the request ------------------------------------------------------------------

function options() {
  return {
    convert: $('convert').value || null,
    strip: $('strip').checked,
    charset: $('charset').value.trim() || null,
  };
}

function apiUrl(query) {
  const url = new URL('v1/repair', document.baseURI);
  for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
  return url.href;
}

// What fetch() sends, and the curl command that sends the same.
function buildRequest() {
  const opt = options();
  if (currentFile) {
    const query = {};
    if (opt.convert) query.convert = opt.convert;
    if (!opt.strip) query.strip_annotations = 'false';
    if (opt.charset) query.charset = opt.charset;
    const url = apiUrl(query);
    return {
      url, body: currentFile, file: currentFile,
      headers: { 'content-type': 'application/octet-stream', accept: 'application/json' },
      curl: `curl --data-binary ${shellQuote('@' + currentFile.name)} ` +
            `-H 'content-type: application/octet-stream' ${shellQuote(url)}`,
    };
  }
  const text = $('input').value;
  const payload = { text };
  if (opt.convert) payload.convert = opt.convert;
  if (!opt.strip) payload.strip_annotations = false;
  const json = JSON.stringify(payload);
  const url = apiUrl({});
  const inline = json.length <= INLINE_CURL_CHARS;
  return {
    url, body: json, text, json, inline,
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    curl: `curl -H 'content-type: application/json' ` +
          (inline ? `-d ${shellQuote(json)}` : '--data-binary @request.json') + ` ${shellQuote(url)}`,
  };
}

function showCurl(req) {
  $('curl').textContent = req.curl;
  $('copy-status').textContent = '';
  const big = req.json !== undefined && !req.inline;
  $('request-download').hidden = !big;
  if (big) setDownload('request-download', req.json, 'application/json', 'request.json');
}

function showError(title, message, extra) {
  $('error').hidden = false;
  $('error').replaceChildren(el('strong', { text: title }), ' ', message, ...(extra || []));
  $('status').textContent = '';
}

async function errorFrom(response) {
  let body = null;
  try { body = await response.json(); } catch (_) { /* not JSON */ }
  const e = body && body.error;
  if (!e) {
    showError(`Error ${response.status}`, response.statusText || 'the service refused the request');
    return;
  }
  const extra = [];
  if (e.field) extra.push(el('div', { text: `Field: ${e.field}` }));
  if (e.valid) extra.push(el('div', { text: `Valid values: ${e.valid.join(', ')}` }));
  showError(`Error ${response.status} (${e.code}):`, e.message, extra);
}

async function repair() {
  if (!currentFile && !$('input').value) {
    showError('Nothing to repair:', 'paste some text or choose a file first.');
    $('input').focus();
    return;
  }
  const req = buildRequest();
  const mine = ++requestNumber;
  showCurl(req);
  $('status').textContent = 'Repairing…';
  $('repair').disabled = true;
  $('result').setAttribute('aria-busy', 'true');
  try {
    let response;
    try {
      response = await fetch(req.url, { method: 'POST', headers: req.headers, body: req.body });
    } catch (err) {
      if (mine === requestNumber) showError('Could not reach the service:', String(err));
      return;
    }
    if (mine !== requestNumber) return;
    if (!response.ok) {
      await errorFrom(response);
      return;
    }
    const result = await response.json();
    if (mine !== requestNumber) return;
    showResult(result, req);
    $('status').textContent = `Repaired: confidence ${percent(result.confidence)}, ` +
      `${result.spans.length} span${result.spans.length === 1 ? '' : 's'}.`;
  } finally {
    if (mine === requestNumber) {
      $('repair').disabled = false;
      $('result').removeAttribute('aria-busy');
    }
  }
}

// ---- input: text box, file picker, drop -----------------------------------------------

function setFile(file) {
  currentFile = file || null;
  $('file-info').hidden = !currentFile;
  $('input').disabled = !!currentFile;
  $('file-name').textContent = currentFile
    ? `File: ${currentFile.name} (${number(currentFile.size)} bytes) will be sent as raw bytes.`
    : '';
  if (!currentFile) $('file').value = '';
}

function hasFiles(event) {
  return event.dataTransfer && Array.from(event.dataTransfer.types).includes('Files');
}

document.addEventListener('DOMContentLoaded', () => {
  $('form').addEventListener('submit', (event) => { event.preventDefault(); repair(); });
  document.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      repair();
    }
  });
  $('file').addEventListener('change', () => setFile($('file').files[0]));
  $('file-clear').addEventListener('click', () => { setFile(null); $('input').focus(); });

  const drop = $('drop');
  // Dropping a file anywhere else must not navigate away from the page.
  for (const type of ['dragover', 'drop']) {
    document.addEventListener(type, (event) => { if (hasFiles(event)) event.preventDefault(); });
  }
  drop.addEventListener('dragover', (event) => {
    if (!hasFiles(event)) return;
    event.preventDefault();
    drop.classList.add('dragging');
  });
  drop.addEventListener('dragleave', () => drop.classList.remove('dragging'));
  drop.addEventListener('drop', (event) => {
    drop.classList.remove('dragging');
    if (!hasFiles(event) || !event.dataTransfer.files.length) return;
    event.preventDefault();
    setFile(event.dataTransfer.files[0]);
  });

  $('spans').addEventListener('click', (event) => {
    const button = event.target.closest('button.show');
    if (button) activate(button.dataset.index, true);
  });
  for (const pane of ['in-text', 'out-text']) {
    $(pane).addEventListener('click', (event) => {
      const mark = event.target.closest('mark[data-spans]');
      if (mark) activate(mark.dataset.spans.split(' ').pop(), false);
    });
  }
  $('copy').addEventListener('click', async () => {
    const text = $('curl').textContent;
    try {
      await navigator.clipboard.writeText(text);
      $('copy-status').textContent = 'Copied.';
    } catch (_) {
      const range = document.createRange();
      range.selectNodeContents($('curl'));
      const selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
      $('copy-status').textContent = 'Selected: press Ctrl+C to copy.';
    }
  });
});
