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
    from: $('from'), token: $('token'), tokenVia: $('token-via'),
    connect: $('connect'), disconnect: $('disconnect'),
    status: $('status'), state: $('state'), reconnects: $('reconnects'), count: $('count'),
    resets: $('resets'), lastId: $('last-id'), message: $('message'),
    rows: document.querySelector('#events tbody'), empty: $('empty'),
    canvas: $('rate'), rateNow: $('rate-now'), ratePeak: $('rate-peak'),
  };

  const state = {
    settings: null, source: null, generation: 0, opened: false, retryTimer: null,
    retryDelay: 1000, reconnects: 0, count: 0, resets: 0, lastId: null, expectGap: false,
    perSecond: new Array(SECONDS).fill(0), current: 0,
  };

  // ---- connection -------------------------------------------------------------------------

  function streamUrl(settings, resumeFrom) {
    const params = new URLSearchParams();
    if (settings.types) params.set('types', settings.types);
    if (settings.where) params.set('where', settings.where);
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
      retryDelay: 1000,
    });
    view.rows.replaceChildren();
    showMessage(null);
    setTokenCookie(settings);
    history.replaceState(null, '', '?' + pageParams(settings));
    view.connect.textContent = 'Reconnect';
    view.disconnect.disabled = false;
    open(settings.from);
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
    source.onerror = () => {
      if (generation !== state.generation) return;
      if (source.readyState === EventSource.CONNECTING) {
        setState('reconnecting');
        return;
      }
      source.close();
      state.source = null;
      const from = state.lastId !== null ? String(state.lastId) : state.settings.from;
      diagnose(generation, from);
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
    render();
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
      types: view.types.value.trim(),
      where: view.where.value.trim(),
      from: view.from.value.trim(),
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
  setInterval(tick, 1000);
  drawChart();
  render();
  if (view.tenant.value && view.form.checkValidity()) connect(readForm());
})();
