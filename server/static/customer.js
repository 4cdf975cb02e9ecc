// The customer's page (issue 27): click-to-chat in the browser (E1), and the support client's
// download when the technician needs more than chat. It holds no rule: the appliance decides
// (the session key, what a click-to-chat session may do, who takes the customer's seat); the
// page shows what it says. Everything it shows from the appliance goes in as text, never HTML.
'use strict';

const $ = (id) => document.getElementById(id);
const key = (new URLSearchParams(location.search).get('key') || '').trim().toUpperCase();
// The session's credential, for this tab only: a reload resumes the chat (the key works once).
const KEPT = 'tandem-customer:' + key;
const me = { token: null, session: null, names: {}, seq: null, ended: false, retry: 0, offered: false };

const socketUrl = (path, token, since) =>
  (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + path +
  '?access_token=' + encodeURIComponent(token) + (since === null ? '' : '&since=' + since);

async function call(method, path, body, bearer) {
  const headers = {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (bearer) headers.authorization = 'Bearer ' + bearer;
  const r = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const j = await r.json().catch(() => ({}));
  if (!r.ok) throw new Error(j.message || ('The support server answered ' + r.status));
  return j;
}

function status(text, kind) {
  const s = $('status');
  s.textContent = text;
  s.className = 'card' + (kind ? ' ' + kind : '');
}

// What the browser says of the computer it runs on: shown to the technician, decides which
// download is offered first. Never proof of anything.
const ua = navigator.userAgent;
const phone = /Android|iPhone|iPad|iPod|Mobile|CrOS/.test(ua);
function platform() {
  if (/Windows/.test(ua)) return 'Windows';
  if (phone) return 'Other';
  if (/Macintosh|Mac OS X/.test(ua)) return 'MacOs';
  if (/Linux|X11/.test(ua)) return 'Linux';
  return 'Other';
}
function preferredTargets() {
  if (phone) return [];
  if (/Windows/.test(ua)) return ['windows-x86_64'];
  if (/Macintosh|Mac OS X/.test(ua)) return ['macos-aarch64', 'macos-x86_64'];
  if (/aarch64|arm64/i.test(ua)) return ['linux-aarch64'];
  if (/Linux|X11/.test(ua)) return ['linux-x86_64'];
  return [];
}

// ---- Chat ------------------------------------------------------------------------------------

function speaker(from) {
  if (from === 'Customer') return 'You';
  if (from.Technician !== undefined) return me.names[from.Technician] || 'Technician';
  return 'Guest';
}

function line(who, text, notice) {
  const li = document.createElement('li');
  if (notice) li.className = 'notice';
  if (who) {
    const w = document.createElement('span');
    w.className = 'who';
    w.textContent = who;
    li.append(w);
  }
  li.append(document.createTextNode(text));
  $('chat').append(li);
  li.scrollIntoView({ block: 'nearest' });
}

function end(why, kind) {
  if (me.ended) return;
  me.ended = true;
  sessionStorage.removeItem(KEPT);
  $('say').querySelectorAll('input, button').forEach((e) => { e.disabled = true; });
  $('actions').hidden = true;
  $('decline').hidden = true;
  status(why, kind || 'ended');
}

// ---- The support client -----------------------------------------------------------------------

function sizeOf(bytes) {
  return (bytes / (1024 * 1024)).toFixed(1) + ' MB';
}

function entry(d) {
  const li = document.createElement('li');
  const a = document.createElement('a');
  a.className = 'button';
  a.href = d.href;
  a.setAttribute('download', d.file);
  a.dataset.target = d.target;
  a.textContent = 'Download for ' + d.label;
  const about = document.createElement('span');
  about.className = 'reason';
  about.append(document.createTextNode(sizeOf(d.size) + ' · SHA-256 '));
  const hash = document.createElement('code');
  hash.className = 'hash';
  hash.textContent = d.sha256;
  about.append(hash);
  li.append(a, about);
  return li;
}

// Ask the appliance for this session's one-time download and list it: the platform this
// browser runs on first, the others under "Other computers".
async function offer(why) {
  $('offer').hidden = false;
  $('offer-why').textContent = why;
  let o;
  try {
    o = await call('POST', '/api/v1/customer/download', {}, me.token);
  } catch (e) {
    $('offer-help').textContent = 'The download is not available: ' + e.message;
    return;
  }
  const first = preferredTargets();
  const mine = o.downloads.filter((d) => first.includes(d.target));
  const others = o.downloads.filter((d) => !first.includes(d.target));
  $('downloads').replaceChildren(...mine.map(entry));
  $('other-downloads').replaceChildren(...others.map(entry));
  $('others').open = mine.length === 0;
  $('missing').textContent = o.missing.length ? 'Not available from this server: ' + o.missing.join(', ') + '.' : '';
  let help = 'Open the downloaded file to start it; it joins this session by itself. The link works once, for ' +
    Math.round(o.expires_in_s / 60) + ' minutes.';
  if (first[0] && first[0].startsWith('linux')) help += ' On Linux, allow the file to run as a program first (its Properties, or chmod +x).';
  if (phone) help = 'The support client runs on a computer: open this page on the computer you need help with, or download it there.';
  if (first.length && !mine.length) help = 'This server has no support client for your computer. ' + help;
  $('offer-help').textContent = help;
}

// ---- The session ------------------------------------------------------------------------------

function showSnapshot(v) {
  const s = v.session;
  me.names = s.technicians || {};
  const owner = s.session.owner;
  status(owner != null && me.names[owner] ? me.names[owner] + ' is helping you.' : 'Waiting for a technician…');
  $('chat').replaceChildren();
  (s.chat || []).forEach((c) => line(speaker(c.from), c.text));
  const prompts = Object.keys(s.session.prompts || {});
  if (prompts.includes('UpgradeToFullClient')) asked();
}

function asked() {
  $('decline').hidden = false;
  offer('Your technician needs the support client to see your screen or help further. Download it and open it; you will be asked before anything is shown.');
}

async function refreshNames() {
  try {
    const snap = await call('GET', '/api/v1/snapshot', undefined, me.token);
    if (snap.view && snap.view.session) me.names = snap.view.session.technicians || {};
  } catch (e) { /* the names stay as they were */ }
}

async function onEvent(e) {
  if (e.ChatPosted) {
    if (e.ChatPosted.from !== 'Customer') line(speaker(e.ChatPosted.from), e.ChatPosted.text);
  } else if (e.SessionAccepted) {
    await refreshNames();
    const name = me.names[e.SessionAccepted.owner] || 'A technician';
    status(name + ' is helping you.');
    line(null, name + ' joined the chat.', true);
  } else if (e.PromptRaised && e.PromptRaised.prompt === 'UpgradeToFullClient') {
    asked();
  } else if (e.PromptAnswered && e.PromptAnswered.prompt === 'UpgradeToFullClient') {
    $('decline').hidden = true;
  } else if (e.FullClientStarted) {
    end('The support client has joined this session on ' + e.FullClientStarted.machine +
      '. The chat goes on in its window. Not you? Tell your technician at once.', 'ok');
  } else if (e.SessionEnded) {
    end('The session has ended. Thank you.');
  } else if (e.CustomerDisconnected) {
    end('The technician ended your part in the session.');
  }
}

function follow() {
  const socket = new WebSocket(socketUrl('/api/v1/events', me.token, me.seq));
  socket.onmessage = async (m) => {
    const msg = JSON.parse(m.data);
    if (msg.type === 'snapshot') {
      me.seq = msg.seq;
      if (msg.view && msg.view.kind === 'customer') showSnapshot(msg.view);
    } else if (msg.type === 'event') {
      me.seq = msg.seq;
      await onEvent(msg.event);
    }
  };
  socket.onopen = () => { me.retry = 0; };
  socket.onclose = (c) => {
    if (me.ended) return;
    if (c.code === 4001 || c.code === 4002) {
      end('You are no longer in the session: it ended, or the support client took it over.');
      return;
    }
    // A dropped network (a phone between cells): again, waiting longer each time; the
    // session waits for this page meanwhile.
    me.retry = Math.min(me.retry + 1, 6);
    status('The connection was lost; trying again…', 'error');
    setTimeout(follow, 500 * 2 ** me.retry);
  };
}

function enter(token, session) {
  me.token = token;
  me.session = session;
  sessionStorage.setItem(KEPT, JSON.stringify({ token, session }));
  $('start').hidden = true;
  $('unusable').hidden = true;
  $('session').hidden = false;
  status('Connecting…');
  follow();
}

$('join').onsubmit = async (ev) => {
  ev.preventDefault();
  const button = $('join').querySelector('button');
  button.disabled = true;
  const name = $('name').value.trim();
  try {
    const joined = await call('POST', '/api/v1/customer/join', {
      key,
      customer: { name, machine: 'Web browser', platform: platform(), mode: 'ClickToChat' },
    });
    enter(joined.token, joined.session);
    if (ev.submitter && ev.submitter.id === 'join-client') offer('Download the support client and open it: it joins this session by itself.');
  } catch (e) {
    $('join-error').textContent = e.message;
    button.disabled = false;
  }
};

$('say').onsubmit = (ev) => {
  ev.preventDefault();
  const input = $('text');
  const text = input.value;
  if (!text.trim()) return;
  line('You', text);
  input.value = '';
  call('POST', '/api/v1/commands', { SendChat: { session: me.session, text } }, me.token)
    .catch((e) => line('Not sent', e.message, true));
};

$('want-client').onclick = () => offer('Download the support client and open it: it joins this session by itself.');

$('decline').onclick = () => {
  $('decline').hidden = true;
  $('offer').hidden = true;
  call('POST', '/api/v1/commands', { AnswerPrompt: { session: me.session, prompt: 'UpgradeToFullClient', accepted: false } }, me.token)
    .catch((e) => line('Not sent', e.message, true));
};

$('leave').onclick = () => {
  call('POST', '/api/v1/commands', { LeaveSession: { session: me.session } }, me.token)
    .finally(() => end('You left the session.'));
};

// A reload of this tab resumes its session; otherwise the name form (or the server's word that
// the key cannot be used) is what shows.
const kept = JSON.parse(sessionStorage.getItem(KEPT) || 'null');
if (kept && kept.token) enter(kept.token, kept.session);
