// Changecast live viewer: native EventSource, no libraries, no build step.
'use strict';
(() => {
  const $ = (id) => document.getElementById(id);
  const MAX_ROWS = 1000;
  const TOKEN_COOKIE = 'changecast_token';
  const MAX_RETRY_MS = 30000;
  const SECONDS = 60;

  const view = {
    form: $('connect-form'), tenant: $('tenant'), types: $('types'), where: $('where'),
    from: $('from'), documents: $('documents'), token: $('token'), tokenVia: $('token-via'),
    connect: $('connect'), disconnect: $('disconnect'),
    status: $('status'), state: $('state'), reconnects: $('reconnects'), count: $('count'),
    resets: $('resets'), lastId: $('last-id'), message: $('message'),
    rows: document.querySelector('#events tbody'), empty: $('empty'),
    canvas: $('rate'), rateNow: $('rate-now'), ratePeak: $('rate-peak'),
    documentsView: $('documents-view'), documentsState: $('documents-state'),
    documentRows: document.querySelector('#documents-table tbody'),
    docCount: $('doc-count'), asOf: $('as-of'),
  };

  const state = {
    settings: null, source: null, generation: 0, opened: false, retryTimer: null,
    retryDelay: 1000, reconnects: 0, count: 0, resets: 0, lastId: null, expectGap: false,
    perSecond: new Array(SECONDS).fill(0), current: 0,
    // Current documents: the snapshot being received (null when none is), the live table's
    // entries and rows by collection + document key, and the id the snapshot was taken at.
    staging: null, documents: new Map(), documentRows: new Map(), asOf: null, snapshots: 0,
  };

  // ---- connection -------------------------------------------------------------------------

  function streamUrl(settings, resumeFrom) {
    const params = new URLSearchParams();
    if (settings.types) params.set('types', settings.types);
    if (settings.where) params.set('where', settings.where);
    if (settings.documents) params.set('snapshot', 'true');
    if (resumeFrom !== null && resumeFrom !== '') params.set('lastEventId', String(resumeFrom));
    if (settings.token && settings.tokenVia === 'query') params.set('access_token', settings.token);
    const query = params.toString();
    // Relative: works wherever the edge serves this page (also behind a path prefix).
    return `v1/tenants/${encodeURIComponent(settings.tenant)}/events${query ? '?' + query : ''}`;
  }

  function setTokenCookie(settings) {
    const secure = location.protocol === 'https:' ? '; Secure' : '';
    if (settings.token && settings.tokenVia === 'cookie') {
      document.cookie =
        `${TOKEN_COOKIE}=${encodeURIComponent(settings.token)}; Path=/; SameSite=Strict${secure}`;
    } else {
      document.cookie = `${TOKEN_COOKIE}=; Path=/; Max-Age=0; SameSite=Strict${secure}`;
    }
  }

  function connect(settings) {
    disconnect();
    state.settings = settings;
    state.generation++;
    Object.assign(state, {
      opened: false, reconnects: 0, count: 0, resets: 0, lastId: null, expectGap: false,
      retryDelay: 1000, staging: null, asOf: null, snapshots: 0,
    });
    view.rows.replaceChildren();
    clearDocuments();
    view.documentsView.hidden = !settings.documents;
    document.body.classList.toggle('with-documents', settings.documents);
    showMessage(null);
    setTokenCookie(settings);
    history.replaceState(null, '', '?' + pageParams(settings));
    view.connect.textContent = 'Reconnect';
    view.disconnect.disabled = false;
    // In the documents view the stream starts at the snapshot (one request: `snapshot=true`).
    open(settings.documents ? null : settings.from);
    render();
  }

  // One EventSource. On a dropped connection the browser reconnects by itself and sends
  // Last-Event-ID; only when the server answers with an error status does the browser give up
  // (readyState CLOSED): then the viewer asks why and, if it is worth retrying, opens a new
  // EventSource resuming from the last id it saw.
  function open(resumeFrom) {
    const generation = state.generation;
    const source = new EventSource(streamUrl(state.settings, resumeFrom));
    state.source = source;
    setState(state.opened ? 'reconnecting' : 'connecting');
    let sourceOpened = false;
    source.onopen = () => {
      // A snapshot cut short by a dropped connection starts again: the stream had no id yet,
      // so the browser reconnected without Last-Event-ID and the edge sends a new snapshot.
      if (state.settings.documents && state.asOf === null) startSnapshot();
      if (state.opened) {
        state.reconnects++;
        // Who resumed: the browser itself (Last-Event-ID header) or this page (lastEventId).
        view.status.dataset.resumedBy = sourceOpened ? 'browser' : 'viewer';
        view.status.title = `last reconnect resumed by the ${view.status.dataset.resumedBy}`;
      }
      sourceOpened = true;
      state.opened = true;
      state.retryDelay = 1000;
      showMessage(null);
      setState('open');
    };
    source.onmessage = (e) => onEvent(e);
    source.addEventListener('reset', (e) => onReset(e));
    source.addEventListener('snapshot', (e) => onSnapshotEntry(e));
    source.addEventListener('snapshot-end', (e) => onSnapshotEnd(e));
    source.onerror = () => {
      if (generation !== state.generation) return;
      if (source.readyState === EventSource.CONNECTING) {
        setState('reconnecting');
        return;
      }
      source.close();
      state.source = null;
      diagnose(generation, resumePosition());
    };
  }

  async function diagnose(generation, from) {
    setState('closed');
    let status = 0;
    let detail = 'the edge cannot be reached';
    const abort = new AbortController();
    try {
      const response = await fetch(streamUrl(state.settings, from), {
        signal: abort.signal, credentials: 'same-origin', cache: 'no-store',
      });
      status = response.status;
      if (response.ok) {
        abort.abort();
      } else {
        const body = await response.json().catch(() => null);
        detail = body ? `${body.error}: ${body.detail}` : `HTTP ${status}`;
      }
    } catch (e) {
      // network error: keep the default detail
    }
    if (generation !== state.generation) return;
    if (status >= 400 && status < 500 && status !== 408 && status !== 429) {
      showMessage(`Stream refused (HTTP ${status})\n${detail}`);
      view.connect.textContent = 'Connect';
      return; // not worth retrying: wrong tenant, token or filter
    }
    if (status >= 200 && status < 300) {
      open(from);
      return;
    }
    const delay = state.retryDelay;
    state.retryDelay = Math.min(MAX_RETRY_MS, state.retryDelay * 2);
    setState('reconnecting');
    showMessage(`Stream interrupted (${detail}); retrying in ${Math.round(delay / 1000)} s`, true);
    state.retryTimer = setTimeout(() => {
      state.retryTimer = null;
      if (generation === state.generation) open(from);
    }, delay);
  }

  // Where a new EventSource starts: after the last id seen; in the documents view after the
  // snapshot's id, or with a new snapshot (null) when the current one is not complete.
  function resumePosition() {
    if (state.settings.documents) return state.asOf === null ? null : String(state.lastId);
    return state.lastId !== null ? String(state.lastId) : state.settings.from;
  }

  // After a reset the documents may have changed in ways the stream cannot tell: start over
  // with a new snapshot on a new EventSource (no Last-Event-ID), replacing the table when it ends.
  function resnapshot() {
    if (state.source) state.source.close();
    state.source = null;
    state.generation++;
    state.asOf = null;
    state.expectGap = true;
    state.opened = false; // a new stream, not a reconnect
    view.documentsState.textContent = 'taking a new snapshot after a reset…';
    open(null);
  }

  function disconnect() {
    state.generation++;
    if (state.source) state.source.close();
    state.source = null;
    if (state.retryTimer) clearTimeout(state.retryTimer);
    state.retryTimer = null;
    view.disconnect.disabled = true;
    view.connect.textContent = 'Connect';
    setState(state.settings ? 'closed' : 'idle', state.settings ? 'disconnected' : 'not connected');
  }

  // ---- events -----------------------------------------------------------------------------

  function onEvent(e) {
    let envelope;
    try {
      envelope = JSON.parse(e.data);
    } catch (err) {
      envelope = { type: '(not JSON)', operation: '', documentKey: e.data };
    }
    const id = Number(e.lastEventId || envelope.id);
    const filtered = Boolean(state.settings.types || state.settings.where);
    let flag = '';
    if (state.lastId !== null && id <= state.lastId) flag = 'duplicate';
    else if (state.lastId !== null && id > state.lastId + 1 && !filtered && !state.expectGap) {
      flag = 'gap';
    }
    if (state.lastId === null || id > state.lastId) state.lastId = id;
    state.expectGap = false;
    state.count++;
    state.perSecond[SECONDS - 1]++;
    // A reset routed as an event of its own (e.g. the source lost change stream history).
    if (envelope.operation === 'reset') state.resets++;
    addEventRow(id, envelope, flag);
    if (state.settings.documents) {
      if (envelope.operation === 'reset') resnapshot();
      else applyEnvelope(id, envelope);
    }
    render();
  }

  function onReset(e) {
    let data;
    try {
      data = JSON.parse(e.data);
    } catch (err) {
      data = { detail: e.data };
    }
    state.resets++;
    state.expectGap = true;
    const text = Object.entries(data)
      .map(([key, value]) => `${key}: ${typeof value === 'object' ? JSON.stringify(value) : value}`)
      .join(' · ');
    const row = document.createElement('tr');
    row.className = 'reset';
    const cell = document.createElement('td');
    cell.colSpan = 5;
    cell.textContent = `⟲ reset — ${text || 'no detail'}`;
    row.appendChild(cell);
    prepend(row);
    if (state.settings.documents) resnapshot();
    render();
  }

  // ---- current documents ------------------------------------------------------------------

  function documentId(collection, key) {
    return `${collection} ${JSON.stringify(key)}`;
  }

  function startSnapshot() {
    state.staging = new Map();
    view.documentsState.textContent = 'receiving the snapshot…';
  }

  // A `snapshot` event: one document of the snapshot (no id: the stream's position is its end).
  function onSnapshotEntry(e) {
    const entry = JSON.parse(e.data);
    if (state.staging === null) startSnapshot();
    state.staging.set(documentId(entry.collection, entry.documentKey), entry);
    if (state.staging.size % 500 === 0) {
      view.documentsState.textContent = `receiving the snapshot… ${state.staging.size}`;
    }
  }

  // `snapshot-end`: its id N is the position the snapshot is exact at, and the stream's next
  // events are the changes after N. The table is replaced at once.
  function onSnapshotEnd(e) {
    let data = {};
    try {
      data = JSON.parse(e.data || '{}');
    } catch (err) {
      // the id is what counts
    }
    const asOf = Number(e.lastEventId || data.asOf);
    const entries = state.staging || new Map();
    state.staging = null;
    state.asOf = asOf;
    state.snapshots++;
    state.lastId = asOf;
    clearDocuments();
    const rows = document.createDocumentFragment();
    for (const [docId, entry] of entries) {
      state.documents.set(docId, entry);
      const row = documentRow(docId, entry);
      state.documentRows.set(docId, row);
      rows.append(row);
    }
    view.documentRows.append(rows);
    render();
  }

  // A data event after the snapshot: inserts and replaces bring the document, deletes remove it,
  // updates bring the post-image or else their changes to apply to the previous version.
  // Published events are not documents.
  function applyEnvelope(id, envelope) {
    if (state.asOf === null || !envelope.collection || !envelope.documentKey) return;
    const docId = documentId(envelope.collection, envelope.documentKey);
    const previous = state.documents.get(docId);
    let document;
    switch (envelope.operation) {
      case 'delete':
        removeDocument(docId);
        return;
      case 'insert':
      case 'replace':
        document = envelope.document;
        break;
      case 'update':
        document = envelope.document ||
          (previous && envelope.changes ? applyChanges(previous.document, envelope.changes) : null);
        break;
      default:
        return;
    }
    if (!document) return; // an update of a document this view does not hold
    const entry = {
      collection: envelope.collection, documentKey: envelope.documentKey, document, id: String(id),
    };
    state.documents.set(docId, entry);
    const row = documentRow(docId, entry);
    row.classList.add('fresh');
    const old = state.documentRows.get(docId);
    if (old) old.replaceWith(row);
    else view.documentRows.prepend(row);
    state.documentRows.set(docId, row);
  }

  function removeDocument(docId) {
    state.documents.delete(docId);
    const row = state.documentRows.get(docId);
    if (row) row.remove();
    state.documentRows.delete(docId);
  }

  function clearDocuments() {
    state.documents.clear();
    state.documentRows.clear();
    view.documentRows.replaceChildren();
  }

  // MongoDB's update description on a copy of the previous version, applied as the edge does:
  // truncated arrays, updated fields, then removed fields, each a dotted path (numeric parts
  // index arrays; a removed array element becomes null).
  function applyChanges(previous, changes) {
    const document = structuredClone(previous);
    for (const { field, newSize } of changes.truncatedArrays || []) {
      const array = walk(document, field.split('.'), false);
      if (Array.isArray(array) && array.length > newSize) array.length = newSize;
    }
    for (const [path, value] of Object.entries(changes.updatedFields || {})) {
      const parts = path.split('.');
      const parent = walk(document, parts.slice(0, -1), true);
      const last = parts[parts.length - 1];
      if (Array.isArray(parent)) {
        const index = Number(last);
        while (parent.length < index) parent.push(null);
        parent[index] = value;
      } else if (parent && typeof parent === 'object') {
        parent[last] = value;
      }
    }
    for (const path of changes.removedFields || []) {
      const parts = path.split('.');
      const parent = walk(document, parts.slice(0, -1), false);
      const last = parts[parts.length - 1];
      if (Array.isArray(parent)) {
        if (Number(last) < parent.length) parent[Number(last)] = null;
      } else if (parent && typeof parent === 'object') {
        delete parent[last];
      }
    }
    return document;
  }

  function walk(node, parts, create) {
    for (const part of parts) {
      if (node === null || typeof node !== 'object') return undefined;
      const name = Array.isArray(node) ? Number(part) : part;
      if ((node[name] === undefined || node[name] === null) && create) node[name] = {};
      node = node[name];
    }
    return node;
  }

  function documentRow(docId, entry) {
    const row = document.createElement('tr');
    row.className = 'doc';
    row.dataset.doc = docId;
    row.dataset.id = entry.id;
    const json = JSON.stringify(entry.document);
    const body = cell(json, 'document');
    body.title = JSON.stringify(entry.document, null, 2).slice(0, 4000);
    row.append(
      cell(entry.collection, 'collection'),
      cell(documentKey(entry.documentKey), 'key'),
      cell(entry.id, 'id'),
      body,
    );
    return row;
  }

  function addEventRow(id, envelope, flag) {
    const row = document.createElement('tr');
    const reset = envelope.operation === 'reset';
    row.className = `event fresh ${reset ? 'reset' : ''} ${flag}`.replace(/ +/g, ' ').trim();
    row.dataset.id = String(id);
    row.title = JSON.stringify(envelope, null, 2).slice(0, 4000);
    const arrivedAt = Date.now();
    const routedAt = Number(envelope.routedAt);
    row.append(
      cell(String(id), 'id'),
      cell(envelope.type ?? ''),
      operationCell(envelope.operation ?? ''),
      cell(reset ? resetDetail(envelope) : documentKey(envelope.documentKey), 'key'),
      ageCell(routedAt, arrivedAt),
    );
    if (flag) row.cells[0].title = flag === 'gap' ? 'ids skipped before this one' : 'seen before';
    prepend(row);
  }

  function prepend(row) {
    view.rows.prepend(row);
    while (view.rows.rows.length > MAX_ROWS) view.rows.lastElementChild.remove();
  }

  function cell(text, className) {
    const td = document.createElement('td');
    if (className) td.className = className;
    td.textContent = text;
    return td;
  }

  function operationCell(operation) {
    const td = document.createElement('td');
    const span = document.createElement('span');
    span.className = `op op-${operation}`;
    span.textContent = operation;
    td.appendChild(span);
    return td;
  }

  function ageCell(routedAt, arrivedAt) {
    const td = cell('', 'age');
    if (Number.isFinite(routedAt) && routedAt > 0) {
      td.dataset.routedAt = String(routedAt);
      td.title = `routed ${new Date(routedAt).toISOString()}; arrived ${arrivedAt - routedAt} ms later`;
      td.textContent = formatAge(arrivedAt - routedAt);
    } else {
      td.textContent = '–';
    }
    return td;
  }

  function resetDetail(envelope) {
    const namespaces = (envelope.namespaces || [])
      .map((ns) => [ns.db, ns.coll].filter(Boolean).join('.') || '(all)')
      .join(', ');
    return `⟲ ${envelope.reason || 'reset'}${namespaces ? ' · ' + namespaces : ''}`;
  }

  function documentKey(key) {
    if (key === undefined || key === null) return '';
    if (typeof key !== 'object') return String(key);
    const names = Object.keys(key);
    if (names.length === 1 && names[0] === '_id') {
      const id = key._id;
      if (id && typeof id === 'object' && typeof id.$oid === 'string') return id.$oid;
      if (typeof id !== 'object') return String(id);
    }
    return JSON.stringify(key);
  }

  function formatAge(ms) {
    if (ms < 0) ms = 0;
    if (ms < 1000) return `${ms} ms`;
    const s = Math.floor(ms / 1000);
    if (s < 60) return `${s} s`;
    if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
    return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
  }

  // ---- rendering --------------------------------------------------------------------------

  const LABELS = {
    idle: 'not connected', connecting: 'connecting…', open: 'live',
    reconnecting: 'reconnecting…', closed: 'closed',
  };

  function setState(name, label) {
    view.status.dataset.state = name;
    view.state.textContent = label || LABELS[name];
  }

  function showMessage(text, info) {
    view.message.hidden = !text;
    view.message.textContent = text || '';
    view.message.classList.toggle('info', Boolean(info));
  }

  function render() {
    view.reconnects.textContent = String(state.reconnects);
    view.count.textContent = String(state.count);
    view.resets.textContent = String(state.resets);
    view.lastId.textContent = state.lastId === null ? '–' : String(state.lastId);
    view.empty.hidden = view.rows.rows.length > 0;
    view.docCount.textContent = state.asOf === null ? '–' : String(state.documents.size);
    view.asOf.textContent = state.asOf === null ? '–' : String(state.asOf);
    if (state.asOf !== null) {
      view.documentsState.textContent =
        `snapshot as of id ${state.asOf}, kept live` +
        (state.snapshots > 1 ? ` · snapshots taken ${state.snapshots}` : '');
    }
  }

  function tick() {
    const now = Date.now();
    for (const td of view.rows.querySelectorAll('td.age[data-routed-at]')) {
      td.textContent = formatAge(now - Number(td.dataset.routedAt));
    }
    view.rateNow.textContent = String(state.perSecond[SECONDS - 1]);
    state.perSecond.shift();
    state.perSecond.push(0);
    drawChart();
  }

  function drawChart() {
    const canvas = view.canvas;
    const ratio = window.devicePixelRatio || 1;
    const width = canvas.clientWidth || canvas.width;
    const height = canvas.clientHeight || canvas.height;
    if (canvas.width !== Math.round(width * ratio)) {
      canvas.width = Math.round(width * ratio);
      canvas.height = Math.round(height * ratio);
    }
    const g = canvas.getContext('2d');
    g.setTransform(ratio, 0, 0, ratio, 0, 0);
    g.clearRect(0, 0, width, height);
    const done = state.perSecond.slice(0, SECONDS - 1); // the last bucket is still filling
    const peak = Math.max(...done);
    view.ratePeak.textContent = String(peak);
    const top = Math.max(5, peak);
    const axis = 28;
    const plotWidth = width - axis;
    const plotHeight = height - 14;
    g.font = '10px system-ui, sans-serif';
    g.fillStyle = '#6b7384';
    g.textAlign = 'right';
    g.textBaseline = 'middle';
    g.fillText(String(top), axis - 4, 6);
    g.fillText('0', axis - 4, plotHeight);
    g.strokeStyle = '#e2e5eb';
    g.beginPath();
    g.moveTo(axis, 6.5);
    g.lineTo(width, 6.5);
    g.moveTo(axis, plotHeight + 0.5);
    g.lineTo(width, plotHeight + 0.5);
    g.stroke();
    const barWidth = plotWidth / done.length;
    g.fillStyle = '#2f6fde';
    done.forEach((count, i) => {
      const h = (count / top) * (plotHeight - 6);
      g.fillRect(axis + i * barWidth + 1, plotHeight - h, Math.max(1, barWidth - 2), h);
    });
    g.textAlign = 'left';
    g.fillStyle = '#6b7384';
    g.fillText('−60 s', axis, height - 5);
    g.textAlign = 'right';
    g.fillText('now', width, height - 5);
  }

  // ---- page -------------------------------------------------------------------------------

  function readForm() {
    return {
      tenant: view.tenant.value.trim(),
      // The documents view follows all of the tenant's documents: with a filter, an event whose
      // document stopped matching must remove it, which takes evaluating the filter here.
      types: view.documents.checked ? '' : view.types.value.trim(),
      where: view.documents.checked ? '' : view.where.value.trim(),
      from: view.documents.checked ? '' : view.from.value.trim(),
      documents: view.documents.checked,
      token: view.token.value.trim(),
      tokenVia: view.tokenVia.value,
    };
  }

  // The page URL carries everything but the token, so a view can be bookmarked and shared.
  function pageParams(settings) {
    const params = new URLSearchParams({ tenant: settings.tenant });
    for (const name of ['types', 'where', 'from']) {
      if (settings[name]) params.set(name, settings[name]);
    }
    if (settings.documents) params.set('documents', 'true');
    return params.toString();
  }

  view.form.addEventListener('submit', (e) => {
    e.preventDefault();
    if (view.form.reportValidity()) connect(readForm());
  });
  view.disconnect.addEventListener('click', () => disconnect());

  const initial = new URLSearchParams(location.search);
  for (const name of ['tenant', 'types', 'where', 'from']) {
    if (initial.has(name)) view[name].value = initial.get(name);
  }
  view.documents.checked = initial.get('documents') === 'true';
  // In the documents view the snapshot is where the stream starts, and it is not filtered.
  const documentsOnly = () => {
    for (const input of [view.from, view.types, view.where]) input.disabled = view.documents.checked;
  };
  documentsOnly();
  view.documents.addEventListener('change', documentsOnly);
  setInterval(tick, 1000);
  drawChart();
  render();
  if (view.tenant.value && view.form.checkValidity()) connect(readForm());
})();
