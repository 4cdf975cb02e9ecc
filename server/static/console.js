// The external user's web console (issue 16, X4). This script moves bytes between the
// appliance, the screen viewer (tandem-core's, compiled to WebAssembly: /static/viewer.wasm)
// and the page. It holds no rule: the appliance says what this user may do
// (/api/v1/sessions/{id}/streams, the rules engine's checks with their reasons) and enforces
// it on every stream; the page only shows it. It never reads the screen stream's format: the
// viewer decodes the frames and writes the messages sent back.
'use strict';

const $ = (id) => document.getElementById(id);
const linkToken = decodeURIComponent(location.pathname.split('/join/')[1] || '');
// The session's credential, kept for this tab only: a reload rejoins without the link, which
// works once (X1).
const KEPT = 'tandem-external';
const status = $('status');
const socketUrl = (path, token) =>
  (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + path +
  '?access_token=' + encodeURIComponent(token);

async function call(method, path, body, bearer) {
  const headers = {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (bearer) headers.authorization = 'Bearer ' + bearer;
  const r = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const j = await r.json().catch(() => ({}));
  if (!r.ok) throw new Error(j.message || ('The appliance answered ' + r.status));
  return j;
}

function say(text, kind) {
  status.textContent = text;
  status.className = 'card' + (kind ? ' ' + kind : '');
}

// ---- The session: its events, chat, and what this user may do ------------------------------

const me = { token: null, session: null, id: null, names: { technicians: {} }, ended: false };

function speaker(from) {
  if (from === 'Customer') return me.names.customer || 'Customer';
  if (from.Technician !== undefined) return me.names.technicians[from.Technician] || 'Technician';
  if (from.External !== undefined) return from.External === me.id ? 'You' : 'Guest';
  return '?';
}

function chatLine(from, text) {
  const li = document.createElement('li');
  const who = document.createElement('span');
  who.className = 'who';
  who.textContent = from;
  li.append(who, document.createTextNode(text));
  $('chat').append(li);
  li.scrollIntoView({ block: 'nearest' });
}

function end(why) {
  if (me.ended) return;
  me.ended = true;
  sessionStorage.removeItem(KEPT);
  closeScreen();
  closeShell();
  $('rights').hidden = true;
  $('say').querySelectorAll('input, button').forEach((e) => { e.disabled = true; });
  say(why, 'ended');
}

// Why this user is out, by the appliance's reason (LeaveReason).
const LEFT = {
  Left: 'You left the session.',
  Removed: 'The technician removed you from the session.',
  InviterLeft: 'The technician who invited you left the session, so you were logged out of it (X5).',
  SessionEnded: 'The session has ended.',
  Held: 'The session was put on hold; you were logged out of it.',
};

let rightsAsked = null;
// What this user may do now, asked again after each change to the session (coalesced).
function askRights() {
  if (rightsAsked || me.ended) return;
  rightsAsked = setTimeout(async () => {
    rightsAsked = null;
    try {
      showRights(await call('GET', '/api/v1/sessions/' + me.session + '/streams', undefined, me.token));
    } catch (e) {
      if (!me.ended) say(e.message, 'error');
    }
  }, 50);
}

function showRights(r) {
  const list = $('rights-list');
  list.replaceChildren();
  const line = (what, right) => {
    const li = document.createElement('li');
    li.className = right.allowed ? 'yes' : 'no';
    li.textContent = what + (right.allowed ? '' : ': ');
    if (!right.allowed) {
      const why = document.createElement('span');
      why.className = 'reason';
      why.textContent = right.reason;
      li.append(why);
    }
    list.append(li);
  };
  line('See the customer\'s screen', r.screen);
  line('Point and type on it', r.control);
  line('Use the command shell', r.shell);
  $('rights').hidden = false;
  if (r.screen.allowed) openScreen(r.control.allowed, r.control.reason); else closeScreen();
  if (r.shell.allowed) openShell(); else closeShell();
}

function follow() {
  const events = new WebSocket(socketUrl('/api/v1/events', me.token));
  events.onmessage = (m) => {
    const msg = JSON.parse(m.data);
    if (msg.type === 'snapshot') {
      const v = msg.view;
      me.id = v.me.id;
      me.names.customer = v.session.session.customer.info.name;
      me.names.technicians = v.session.technicians;
      say('You are in the session as ' + v.me.name + '.');
      $('chatcard').hidden = false;
      $('chat').replaceChildren();
      v.session.chat.forEach((c) => chatLine(speaker(c.from), c.text));
      askRights();
    } else if (msg.type === 'event') {
      const e = msg.event;
      if (e.ChatPosted) {
        chatLine(speaker(e.ChatPosted.from), e.ChatPosted.text);
        return;
      }
      if (e.SessionEnded) return end(LEFT.SessionEnded);
      if (e.MemberLeft && e.MemberLeft.member && e.MemberLeft.member.External === me.id) {
        return end(LEFT[e.MemberLeft.why] || 'You are no longer in the session.');
      }
      askRights();
    }
  };
  events.onopen = () => { me.retry = 0; };
  events.onclose = (c) => {
    if (me.ended) return;
    if (c.code === 4001 || c.code === 4002) {
      end('You are no longer in the session: it ended, or you were logged out.');
      return;
    }
    // A dropped network (a phone between cells): try again, waiting longer each time.
    me.retry = Math.min((me.retry || 0) + 1, 6);
    say('The connection to the session was lost; trying again…', 'error');
    setTimeout(follow, 500 * 2 ** me.retry);
  };
}

$('say').onsubmit = (ev) => {
  ev.preventDefault();
  const input = $('text');
  const text = input.value;
  if (!text.trim()) return;
  call('POST', '/api/v1/commands', { SendChat: { session: me.session, text } }, me.token)
    .then(() => { input.value = ''; })
    .catch((e) => chatLine('Not sent', e.message));
};

// ---- The screen --------------------------------------------------------------------------

const timings = { key: [], update: [] };
// The page's own timing, shown under "Connection details" (and read by screen-bench): from a
// frame's arrival to its decoding done (in the screen's worker), and to its being drawn on the
// canvas (in the next animation frame, as the browser paints). Times are absolute
// (timeOrigin + now), since the worker's clock starts apart from the page's.
window.tandemTimings = timings;
let screen = null;

// The stream and its decoding run in a worker (static/screen-worker.js, issue 26): the page only
// puts the changed part of the picture on the canvas, once per animation frame, so no frame a
// customer client sends can keep the chat or the Leave button from answering.
function openScreen(control, whyNot) {
  const mode = $('screen-mode');
  mode.textContent = control ? 'You may point and type: tap or click the picture, then type.'
    : 'View only: ' + whyNot;
  $('screen').hidden = false;
  $('keys').hidden = !control;
  if (screen) {
    screen.control = control;
    $('canvas').classList.toggle('control', control);
    return;
  }
  const worker = new Worker('/static/screen-worker.js');
  const canvas = $('canvas');
  const s = { worker, control, canvas, context: canvas.getContext('2d') };
  screen = s;
  canvas.classList.toggle('control', control);
  s.send = (m) => worker.postMessage(m);
  worker.onmessage = (e) => {
    const m = e.data;
    if (m.opened) tellSize();
    if (m.picture) requestAnimationFrame(() => draw(s, m.picture, m.frames));
    if (m.monitors) showMonitors(m.monitors);
    if (m.closed) { if (screen === s) closeScreen(); askRights(); }
  };
  worker.onerror = (e) => { mode.textContent = 'The screen could not be shown: ' + (e.message || 'the viewer did not load'); };
  s.send({ open: socketUrl('/api/v1/sessions/' + me.session + '/screen', me.token) });
}

function draw(s, p, frames) {
  if (screen !== s) return;
  if (s.canvas.width !== p.width || s.canvas.height !== p.height) { s.canvas.width = p.width; s.canvas.height = p.height; }
  if (p.w && p.h) s.context.putImageData(new ImageData(p.pixels, p.w, p.h), p.x, p.y);
  s.send({ drawn: true });
  const drawn = performance.timeOrigin + performance.now();
  for (const f of frames) {
    const list = f.key ? timings.key : timings.update;
    list.push({ ms: drawn - f.arrived, decode: f.decoded - f.arrived, width: p.width, height: p.height });
    if (list.length > 500) list.shift();
  }
  showTiming();
}

function median(list) {
  if (!list.length) return null;
  const sorted = list.map((t) => t.ms).sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function showTiming() {
  const k = median(timings.key), u = median(timings.update);
  const f = (ms) => (ms === null ? '–' : ms.toFixed(1) + ' ms');
  $('timing').textContent = 'From arrival to drawn (median): whole picture ' + f(k) + ' (' + timings.key.length +
    '), changes ' + f(u) + ' (' + timings.update.length + ').';
}

function closeScreen() {
  $('screen').hidden = true;
  $('keys').hidden = true;
  if (!screen) return;
  const s = screen;
  screen = null;
  s.send({ close: true });
}

// The size the canvas shows the screen at, in device pixels: the customer client sends no more.
function tellSize() {
  if (!screen) return;
  const box = $('canvas').parentElement.getBoundingClientRect();
  const scale = window.devicePixelRatio || 1;
  if (!box.width) return; // not laid out yet: told again when it is (resize, or the socket open)
  screen.send({ view: [Math.round(box.width * scale), Math.round(window.innerHeight * scale)] });
}
window.addEventListener('resize', tellSize);

function showMonitors(list) {
  const box = $('monitors');
  box.replaceChildren();
  // Only someone in control picks the monitor every viewer sees (the appliance drops it otherwise).
  box.hidden = list.monitors.length < 2 || !(screen && screen.control);
  const chip = (label, index) => {
    const b = document.createElement('button');
    b.type = 'button';
    b.textContent = label;
    b.setAttribute('aria-pressed', String((list.shown === null ? -1 : list.shown) === index));
    b.onclick = () => { if (screen) screen.send({ monitor: index }); };
    box.append(b);
  };
  chip('All screens', -1);
  list.monitors.forEach((m, i) => chip((i + 1) + (m.primary ? ' (main)' : ''), i));
}

// Pointer and keys go to the viewer only while the appliance says this user has control; the
// appliance drops them otherwise all the same (A1, G4).
const canvas = $('canvas');
let buttonsDown = 0;
function point(ev) {
  if (!screen || !screen.control) return;
  ev.preventDefault();
  const r = canvas.getBoundingClientRect();
  const x = Math.floor((ev.clientX - r.left) * canvas.width / r.width);
  const y = Math.floor((ev.clientY - r.top) * canvas.height / r.height);
  // The page's buttons (1 left, 2 right, 4 middle) as the stream's (1 left, 2 middle, 4 right).
  const b = ev.buttons;
  buttonsDown = (b & 1) | ((b & 4) ? 2 : 0) | ((b & 2) ? 4 : 0);
  screen.send({ pointer: [Math.max(0, x), Math.max(0, y), buttonsDown] });
}
canvas.addEventListener('pointerdown', (ev) => { canvas.focus(); point(ev); });
canvas.addEventListener('pointermove', point);
canvas.addEventListener('pointerup', point);
canvas.addEventListener('contextmenu', (ev) => { if (screen && screen.control) ev.preventDefault(); });
// Every key goes to the screen while this user has control (the viewer sends those that have a
// keysym): Tab, the arrows and the F-keys act on the customer's computer, not on this page.
function key(ev, down) {
  if (!screen || !screen.control) return;
  ev.preventDefault();
  screen.send({ key: [ev.key, down] });
}
canvas.addEventListener('keydown', (ev) => key(ev, true));
canvas.addEventListener('keyup', (ev) => key(ev, false));

// A phone's keyboard opens for a text field, not a canvas, and often names no key
// ("Unidentified"): what it types into this field is sent as the keys of those characters.
function tap(name) {
  for (const down of [true, false]) key({ key: name, preventDefault() {} }, down);
}
$('typing').addEventListener('input', (ev) => {
  if (ev.inputType === 'deleteContentBackward') tap('Backspace');
  else if (ev.inputType === 'insertLineBreak') tap('Enter');
  else for (const c of ev.data || '') tap(c);
  ev.target.value = '';
});
$('keys').onsubmit = (ev) => { ev.preventDefault(); tap('Enter'); };

// ---- The command shell -------------------------------------------------------------------

let shell = null;
// Terminal colour and cursor sequences do not belong in a plain transcript.
const ESCAPES = /\u001b\[[0-9;?]*[ -/]*[@-~]|\u001b\][^\u0007]*\u0007|\r/g;

function openShell() {
  $('shell').hidden = false;
  if (shell) return;
  const ws = new WebSocket(socketUrl('/api/v1/sessions/' + me.session + '/shell', me.token));
  ws.binaryType = 'arraybuffer';
  const text = new TextDecoder();
  shell = ws;
  ws.onmessage = (m) => {
    if (typeof m.data === 'string') return;
    const out = $('terminal');
    // Keep the last 64 KiB: a page shows a screenful, not a log.
    out.textContent = (out.textContent + text.decode(new Uint8Array(m.data), { stream: true }).replace(ESCAPES, '')).slice(-65536);
    out.scrollTop = out.scrollHeight;
  };
  ws.onclose = () => { if (shell === ws) closeShell(); askRights(); };
}

function closeShell() {
  $('shell').hidden = true;
  if (!shell) return;
  const ws = shell;
  shell = null;
  if (ws.readyState <= WebSocket.OPEN) ws.close();
}

$('command').onsubmit = (ev) => {
  ev.preventDefault();
  const input = $('command-line');
  if (shell && shell.readyState === WebSocket.OPEN) {
    shell.send(new TextEncoder().encode(input.value + '\n'));
    input.value = '';
  }
};

// ---- Joining -----------------------------------------------------------------------------

async function join() {
  say('Joining…');
  const joined = await call('POST', '/api/v1/external/redeem', { token: linkToken });
  sessionStorage.setItem(KEPT, JSON.stringify({ link: linkToken, token: joined.token, session: joined.session }));
  start(joined.token, joined.session);
}

function start(token, session) {
  me.token = token;
  me.session = session;
  follow();
}

function preview() {
  call('POST', '/api/v1/external/invitation', { token: linkToken }).then((p) => {
    status.replaceChildren();
    const intro = document.createElement('p');
    intro.textContent = p.inviter + ' invites you, ' + p.name + ', to a support session.';
    const policy = document.createElement('p');
    policy.textContent = 'Your access: ' + p.policy + '. ' + p.policy_description;
    const button = document.createElement('button');
    button.textContent = 'Join in the browser';
    button.onclick = () => {
      button.disabled = true;
      join().catch((e) => say(e.message, 'error'));
    };
    status.append(intro, policy, button);
  }).catch((e) => say(e.message, 'error'));
}

const kept = JSON.parse(sessionStorage.getItem(KEPT) || 'null');
if (kept && kept.link === linkToken) start(kept.token, kept.session); else preview();
