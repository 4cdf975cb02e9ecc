// The web console's screen stream, off the page's main thread (issue 26): this worker owns the
// screen's WebSocket and tandem-core's viewer (WebAssembly), takes in every frame, answers what
// the viewer says to answer, and hands the page only the part of the picture that changed, at
// most once per frame the page draws. However long a frame takes to paint (the format bounds it
// to about one whole picture), the page's chat, buttons and leaving keep answering.
//
// From the page: {open: url}, {view: [w, h]}, {pointer: [x, y, buttons]}, {key: [name, down]},
// {monitor: index}, {drawn: true} (the last picture is on the canvas), {close: true}.
// To the page: {picture: {x, y, w, h, width, height, pixels}, frames: [...]},
// {opened: true} (the page then says the size it shows the screen at), {monitors: {...}},
// {closed: true}.
'use strict';

const HEARD = { DRAW: 1, SEND: 2, MONITORS: 4, BROKEN: 8, KEY: 16 };
let v = null;
let ws = null;
let waiting = false; // a picture was posted and the page has not drawn it yet
let pending = []; // frames painted since the last picture posted: their timings
const early = []; // what the page asked before the viewer was loaded
const now = () => performance.timeOrigin + performance.now();

// Sends what the viewer has to say; kept in its outbox until the socket is open.
function flush() {
  if (!ws || ws.readyState !== WebSocket.OPEN) return;
  const n = v.viewer_outbox();
  if (!n) return;
  const text = new TextDecoder().decode(new Uint8Array(v.memory.buffer, v.viewer_sending(), n));
  for (const line of text.split('\n')) if (line) ws.send(line);
}

function bytesIn(bytes) {
  // viewer_inbox may grow the memory: its buffer is taken after.
  const at = v.viewer_inbox(bytes.length);
  new Uint8Array(v.memory.buffer, at, bytes.length).set(bytes);
}

// The changed part of the picture, copied out row by row, to the page (transferred, not copied
// again).
function post() {
  if (waiting || !pending.length || !v.viewer_draw()) return;
  const width = v.viewer_width(), height = v.viewer_height();
  const [x, y, w, h] = [0, 1, 2, 3].map((i) => v.viewer_area(i));
  const all = new Uint8Array(v.memory.buffer, v.viewer_pixels(), width * height * 4);
  const pixels = new Uint8ClampedArray(w * h * 4);
  for (let row = 0; row < h; row++) {
    const from = ((y + row) * width + x) * 4;
    pixels.set(all.subarray(from, from + w * 4), row * w * 4);
  }
  waiting = true;
  const frames = pending;
  pending = [];
  postMessage({ picture: { x, y, w, h, width, height, pixels }, frames }, [pixels.buffer]);
}

function receive(data) {
  const arrived = now();
  if (typeof data === 'string') { v.viewer_skipped(); flush(); return; }
  bytesIn(new Uint8Array(data));
  const heard = v.viewer_receive(data.byteLength);
  const decoded = now();
  if (heard & HEARD.SEND) flush();
  if (heard & HEARD.MONITORS) {
    const n = v.viewer_monitors_len();
    postMessage({ monitors: JSON.parse(new TextDecoder().decode(new Uint8Array(v.memory.buffer, v.viewer_monitors(), n))) });
  }
  if (heard & HEARD.DRAW) {
    pending.push({ arrived, decoded, key: (heard & HEARD.KEY) !== 0 });
    post();
  }
}

function handle(m) {
  if (m.open) {
    v.viewer_start();
    ws = new WebSocket(m.open);
    ws.binaryType = 'arraybuffer';
    ws.onopen = () => { flush(); postMessage({ opened: true }); };
    ws.onmessage = (e) => receive(e.data);
    ws.onclose = () => { postMessage({ closed: true }); close(); };
  } else if (m.view) {
    v.viewer_view(m.view[0], m.view[1]);
  } else if (m.pointer) {
    v.viewer_pointer(m.pointer[0], m.pointer[1], m.pointer[2]);
  } else if (m.key) {
    const name = new TextEncoder().encode(m.key[0]);
    bytesIn(name);
    v.viewer_key(name.length, m.key[1] ? 1 : 0);
  } else if (m.monitor !== undefined) {
    v.viewer_monitor(m.monitor);
  } else if (m.drawn) {
    waiting = false;
    post();
    return;
  } else if (m.close) {
    if (ws && ws.readyState <= WebSocket.OPEN) ws.close();
    close();
    return;
  }
  flush();
}

onmessage = (e) => { if (v) handle(e.data); else early.push(e.data); };

WebAssembly.instantiateStreaming(fetch('/static/viewer.wasm'), {}).then((module) => {
  v = module.instance.exports;
  for (const m of early.splice(0)) handle(m);
});
