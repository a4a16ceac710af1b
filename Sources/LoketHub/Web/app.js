// The citizen's side of the hub's wire protocol (DESIGN.md, "Wire protocol"). No framework, no build step.
// Everything shown is set with textContent: message text is never parsed as HTML.
'use strict';
(function () {
  // Every string this script shows, in one place (the rest of the page's text is in index.html).
  const T = {
    connecting: 'Menyambung…',
    online: 'Tersambung',
    offline: (seconds) => `Terputus — menyambung ulang dalam ${seconds} detik…`,
    who: { citizen: 'Anda', officer: 'Petugas', system: 'Info' },
    pending: 'mengirim…',
    sent: 'terkirim',
    failed: (why) => `Gagal terkirim: ${why}`,
    closed: 'Percakapan ini telah ditutup oleh petugas. Terima kasih.',
    hours: (hours) => `Jam layanan: ${hours}`,
    title: (office) => `Layanan Chat ${office}`,
    surveyFailed: (why) => `Penilaian belum terkirim: ${why}`,
    chooseScore: 'Silakan pilih salah satu nilai 1–4.',
  };
  const RESUME_KEY = 'loket.resume';
  const PENDING_KEY = 'loket.pending';
  const SURVEYED_KEY = 'loket.surveyed';
  const TYPING_SHOWN_MS = 5000;
  const TYPING_SENT_EVERY_MS = 3000;
  const MAX_BACKOFF_S = 30;

  const $ = (id) => document.getElementById(id);
  const log = $('log');
  const empty = $('empty');
  const box = $('message');
  const sendButton = $('send');
  const status = $('status');
  const typing = $('typing');
  const survey = $('survey');
  const surveyThanks = $('survey-thanks');
  const identity = $('identity');
  const notice = $('notice');

  // localStorage may be refused (private modes, embedded with storage blocked): the chat still works, it just
  // does not survive a reload.
  const store = {
    get(key) { try { return localStorage.getItem(key); } catch (e) { return null; } },
    set(key, value) { try { localStorage.setItem(key, value); } catch (e) { /* see above */ } },
    remove(key) { try { localStorage.removeItem(key); } catch (e) { /* see above */ } },
  };

  let socket = null;
  let helloSent = false;
  let welcomed = false;
  let attempt = 0;
  let retryTimer = null;
  let typingTimer = null;
  let lastTypingSent = 0;
  let token = store.get(RESUME_KEY);
  let conversation = null;
  let surveyId = null;
  const shownSeqs = new Set();
  // Messages not yet acknowledged, in order: kept across reloads so nothing typed is lost.
  let outbox = [];

  function newId() {
    const bytes = new Uint8Array(12);
    crypto.getRandomValues(bytes);
    return 'w-' + Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  }

  function savePending() {
    const items = outbox.map(({ id, text }) => ({ id, text }));
    if (items.length) store.set(PENDING_KEY, JSON.stringify(items)); else store.remove(PENDING_KEY);
  }

  function loadPending() {
    try {
      const items = JSON.parse(store.get(PENDING_KEY) || '[]');
      return Array.isArray(items) ? items.filter((m) => typeof m.id === 'string' && typeof m.text === 'string') : [];
    } catch (e) {
      return [];
    }
  }

  function clock(time) {
    const date = time ? new Date(time) : new Date();
    if (isNaN(date.getTime())) return '';
    return date.toLocaleTimeString('id-ID', { hour: '2-digit', minute: '2-digit' });
  }

  function setState(item, state, detail) {
    item.dataset.state = state;
    const meta = item.querySelector('.meta');
    if (state === 'pending') meta.textContent = T.pending;
    else if (state === 'failed') meta.textContent = T.failed(detail || '');
    else meta.textContent = (item.dataset.time || '') + (item.classList.contains('citizen') ? ' · ' + T.sent : '');
  }

  function addMessage(from, text, options) {
    const kind = T.who[from] ? from : 'system';
    const item = document.createElement('div');
    item.className = 'msg ' + kind;
    const who = document.createElement('span');
    who.className = 'who';
    who.textContent = T.who[kind];
    const body = document.createElement('p');
    body.className = 'text';
    body.textContent = text;
    const meta = document.createElement('span');
    meta.className = 'meta';
    item.append(who, body, meta);
    item.dataset.time = clock(options.time);
    if (options.seq) {
      item.dataset.seq = String(options.seq);
      shownSeqs.add(options.seq);
    }
    setState(item, options.state || 'sent');
    log.append(item);
    empty.hidden = true;
    log.scrollTop = log.scrollHeight;
    return item;
  }

  function clearLog() {
    for (const item of Array.from(log.querySelectorAll('.msg'))) item.remove();
    shownSeqs.clear();
    empty.hidden = false;
  }

  function setStatus(text, offline) {
    status.textContent = text;
    status.classList.toggle('offline', !!offline);
  }

  function send(frame) {
    if (socket && socket.readyState === WebSocket.OPEN) {
      socket.send(JSON.stringify(frame));
      return true;
    }
    return false;
  }

  function sendHello() {
    const hello = { type: 'hello' };
    if (token) {
      hello.resume = token;
    } else {
      const name = $('name').value.trim();
      const honorific = document.querySelector('input[name="honorific"]:checked');
      if (name) hello.name = name;
      if (honorific) hello.honorific = honorific.value;
    }
    helloSent = send(hello);
  }

  function flushOutbox() {
    for (const message of outbox) send({ type: 'message', id: message.id, text: message.text });
  }

  function showSurvey() {
    if (!conversation || store.get(SURVEYED_KEY) === conversation) return;
    survey.hidden = false;
    surveyThanks.hidden = true;
  }

  function showOffice(office) {
    if (typeof office.name === 'string' && office.name) {
      $('office').textContent = T.title(office.name);
      document.title = T.title(office.name);
    }
    $('hours').hidden = office.open !== false;
    $('hours-text').textContent = typeof office.hours === 'string' ? T.hours(office.hours) : '';
  }

  // A new conversation says hello only with its first message, so the opening hours are fetched at once: a citizen
  // should know the office is closed before writing, not after.
  function fetchOffice() {
    fetch('/api/office', { cache: 'no-store' })
      .then((response) => (response.ok ? response.json() : null))
      .then((office) => { if (office && !welcomed) showOffice(office); })
      .catch(() => {});
  }

  function onWelcome(frame) {
    welcomed = true;
    conversation = frame.conversation;
    if (typeof frame.token === 'string') {
      token = frame.token;
      store.set(RESUME_KEY, token);
    }
    showOffice(frame.office || {});
    notice.hidden = typeof frame.notice !== 'string';
    notice.textContent = frame.notice || '';
    identity.hidden = true;
    // The history is the hub's stored truth: the log is redrawn from it, then what is still unacknowledged.
    clearLog();
    for (const item of Array.isArray(frame.history) ? frame.history : []) {
      addMessage(item.from, String(item.text ?? ''), { seq: item.seq, time: item.time });
    }
    for (const message of outbox) {
      log.append(message.element);
      empty.hidden = true;
    }
    if (frame.closed) {
      // The history holds messages only: say why the survey is there.
      addMessage('system', T.closed, {});
      showSurvey();
    }
    log.scrollTop = log.scrollHeight;
    flushOutbox();
  }

  function onAck(frame) {
    const index = outbox.findIndex((m) => m.id === frame.id);
    if (index >= 0) {
      const [message] = outbox.splice(index, 1);
      savePending();
      // Stored before a reconnection but acknowledged after it: the history already shows it.
      if (shownSeqs.has(frame.seq)) {
        message.element.remove();
      } else {
        message.element.dataset.seq = String(frame.seq);
        shownSeqs.add(frame.seq);
        setState(message.element, 'sent');
      }
      return;
    }
    if (frame.id === surveyId) {
      surveyId = null;
      store.set(SURVEYED_KEY, conversation);
      survey.hidden = true;
      surveyThanks.hidden = false;
    }
  }

  function onError(frame) {
    const message = typeof frame.message === 'string' ? frame.message : String(frame.code || '');
    const index = outbox.findIndex((m) => m.id === frame.id);
    if (index >= 0) {
      if (frame.code === 'rate_limited' || frame.code === 'unavailable') {
        // The hub asks for the same message again a little later; the id keeps it from being stored twice.
        const pending = outbox[index];
        setTimeout(() => { if (outbox.includes(pending)) send({ type: 'message', id: pending.id, text: pending.text }); }, 3000);
        return;
      }
      const [failed] = outbox.splice(index, 1);
      savePending();
      setState(failed.element, 'failed', message);
      return;
    }
    if (frame.id && frame.id === surveyId) {
      surveyId = null;
      $('survey-send').disabled = false;
      notice.hidden = false;
      notice.textContent = T.surveyFailed(message);
      return;
    }
    notice.hidden = false;
    notice.textContent = message;
  }

  function onFrame(frame) {
    switch (frame.type) {
      case 'welcome': onWelcome(frame); break;
      case 'ack': onAck(frame); break;
      case 'message':
        if (frame.seq && shownSeqs.has(frame.seq)) break;
        typing.hidden = true;
        addMessage(frame.from, String(frame.text ?? ''), { seq: frame.seq, time: frame.time });
        break;
      case 'typing':
        typing.hidden = false;
        clearTimeout(typingTimer);
        typingTimer = setTimeout(() => { typing.hidden = true; }, TYPING_SHOWN_MS);
        break;
      case 'closed':
        if (frame.seq && shownSeqs.has(frame.seq)) break;
        if (frame.seq) shownSeqs.add(frame.seq);
        typing.hidden = true;
        addMessage('system', T.closed, { time: frame.time });
        showSurvey();
        break;
      case 'error': onError(frame); break;
      default: break;
    }
  }

  function connect() {
    clearTimeout(retryTimer);
    retryTimer = null;
    setStatus(T.connecting, false);
    const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
    const ws = new WebSocket(`${scheme}//${location.host}/citizen/ws`);
    socket = ws;
    helloSent = false;
    welcomed = false;
    ws.onopen = () => {
      if (socket !== ws) return;
      attempt = 0;
      setStatus(T.online, false);
      // A citizen without a conversation says hello with the first message, so the name typed by then goes along.
      if (token || outbox.length) sendHello();
    };
    ws.onmessage = (event) => {
      if (socket !== ws) return;
      let frame;
      try { frame = JSON.parse(event.data); } catch (e) { return; }
      if (frame && typeof frame === 'object') onFrame(frame);
    };
    ws.onclose = () => {
      if (socket !== ws) return;
      socket = null;
      welcomed = false;
      // Exponential backoff with jitter, so a restarted hub is not hit by every citizen at the same instant.
      const seconds = Math.min(MAX_BACKOFF_S, 2 ** attempt);
      attempt += 1;
      const delay = Math.round(seconds * (0.5 + Math.random() / 2) * 1000);
      setStatus(T.offline(Math.max(1, Math.round(delay / 1000))), true);
      retryTimer = setTimeout(connect, delay);
    };
  }

  function submitMessage() {
    const text = box.value;
    if (!text.trim()) return;
    const message = { id: newId(), text };
    message.element = addMessage('citizen', text, { state: 'pending' });
    outbox.push(message);
    savePending();
    box.value = '';
    // Writing after the close reopens the conversation: the survey is no longer the question.
    survey.hidden = true;
    if (welcomed) send({ type: 'message', id: message.id, text: message.text });
    else if (socket && socket.readyState === WebSocket.OPEN && !helloSent) sendHello();
    box.focus();
  }

  function restart() {
    store.remove(RESUME_KEY);
    store.remove(PENDING_KEY);
    token = null;
    conversation = null;
    outbox = [];
    surveyId = null;
    clearLog();
    for (const id of ['hours', 'notice', 'survey', 'survey-thanks']) $(id).hidden = true;
    typing.hidden = true;
    identity.hidden = false;
    const old = socket;
    socket = null;
    if (old) old.close();
    attempt = 0;
    connect();
    box.focus();
  }

  $('composer').addEventListener('submit', (event) => {
    event.preventDefault();
    submitMessage();
  });
  box.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      submitMessage();
    }
  });
  box.addEventListener('input', () => {
    const now = Date.now();
    if (welcomed && box.value && now - lastTypingSent > TYPING_SENT_EVERY_MS) {
      lastTypingSent = now;
      send({ type: 'typing' });
    }
  });
  survey.addEventListener('submit', (event) => {
    event.preventDefault();
    const chosen = survey.querySelector('input[name="score"]:checked');
    if (!chosen) {
      notice.hidden = false;
      notice.textContent = T.chooseScore;
      return;
    }
    surveyId = newId();
    const frame = { type: 'survey', id: surveyId, score: Number(chosen.value) };
    const comment = $('survey-comment').value.trim();
    if (comment) frame.comment = comment;
    if (send(frame)) $('survey-send').disabled = true; else surveyId = null;
  });
  $('restart').addEventListener('click', restart);
  window.addEventListener('online', () => { if (!socket) { attempt = 0; connect(); } });

  for (const message of loadPending()) {
    message.element = addMessage('citizen', message.text, { state: 'pending' });
    outbox.push(message);
  }
  if (token) identity.hidden = true;
  box.disabled = false;
  sendButton.disabled = false;
  fetchOffice();
  connect();
})();
