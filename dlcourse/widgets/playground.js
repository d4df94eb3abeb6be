// L1.11's playground, the browser's half: it draws what the kernel sends and asks for more.
//
// The kernel (dlcourse/widgets/playground.py) trains and sends each frame as compact arrays in
// the widget's binary buffers; this module only draws them, on <canvas>:
//   heatmaps     uint8, one res × res tile per hidden neuron (layer by layer), then the output;
//                0 → orange, 127.5 → white, 255 → blue; row 0 is the bottom of the plane
//   weights      float32, every layer's (out, in) matrix row by row: the links
//   curves       float32, [steps…, training losses…, test losses…]
//   points       float32, (x1, x2, target, is_test) per data point (sent with a new run)
//   feature_maps uint8, the input features' tiles (sent once)
//   spec, stats  JSON: the network's shape and the texts; frame: the frame's number
// While ▶ is on, the kernel sends frames on its own; this module draws one on each animation
// frame and, every ACK_MS, tells the kernel the last frame it drew and how many it draws per
// second, which sets the kernel's pace. Frames do not arrive evenly (on a busy machine two often
// come together after a gap): up to QUEUE of them wait for the next animation frames instead of
// all but the last being skipped, as a video player buffers a few frames against jitter.

const ACK_MS = 200;
const QUEUE = 3;                    // frames kept to draw on the next animation frames (≤ 50 ms)
const TEXT_MS = 100;                // the two lines of text change at most this often while ▶ runs
const FONT = "'Noto Sans CJK SC', 'Noto Sans SC', Inter, 'Helvetica Neue', Arial, sans-serif";
const ORANGE = [245, 147, 34], WHITE = [255, 255, 255], BLUE = [8, 119, 189];
const SIDE = 250;                   // width of the output panel and the loss chart (px)
const PLOT = 200;                   // the output heatmap's side (px)

// 0 … 255 → orange … white … blue, as 32-bit RGBA words for an ImageData's buffer.
const LUT = (() => {
  const lut = new Uint32Array(256);
  const little = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
  for (let i = 0; i < 256; i++) {
    const t = i / 255;
    const [a, b, u] = t < 0.5 ? [ORANGE, WHITE, t * 2] : [WHITE, BLUE, t * 2 - 1];
    const [r, g, bl] = a.map((c, k) => Math.round(c + (b[k] - c) * u));
    lut[i] = little ? ((255 << 24) | (bl << 16) | (g << 8) | r) >>> 0
                    : ((r << 24) | (g << 16) | (bl << 8) | 255) >>> 0;
  }
  return lut;
})();
const css = (i) => { const v = LUT[i]; return `rgb(${v & 255},${(v >> 8) & 255},${(v >> 16) & 255})`; };

function bytes(value) {
  if (!value) return new Uint8Array(0);
  return ArrayBuffer.isView(value) ? new Uint8Array(value.buffer, value.byteOffset, value.byteLength)
                                   : new Uint8Array(value);
}

function floats(value) {
  const b = bytes(value);
  const aligned = b.byteOffset % 4 === 0 ? b : b.slice();
  return new Float32Array(aligned.buffer, aligned.byteOffset, aligned.byteLength >> 2);
}

function canvas(w, h) {
  const c = document.createElement("canvas");
  c.width = w;
  c.height = h;
  return c;
}

// Size a visible canvas for CSS pixels w × h on this screen; returns its 2D context.
function sized(c, w, h) {
  const dpr = window.devicePixelRatio || 1;
  if (c.width !== Math.round(w * dpr) || c.height !== Math.round(h * dpr)) {
    c.width = Math.round(w * dpr);
    c.height = Math.round(h * dpr);
    c.style.width = `${w}px`;
    c.style.height = `${h}px`;
  }
  const ctx = c.getContext("2d");
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  return ctx;
}

// Write tiles of res × res uint8 values into an atlas canvas (one tile below the other), each
// flipped so that row 0 (the bottom of the plane) ends at the bottom.
function paintTiles(atlas, values, res) {
  const n = Math.floor(values.length / (res * res));
  if (atlas.width !== res || atlas.height !== Math.max(n, 1) * res) {
    atlas.width = res;
    atlas.height = Math.max(n, 1) * res;
    atlas.image = null;
  }
  if (!n) return 0;
  const ctx = atlas.getContext("2d");
  atlas.image = atlas.image || ctx.createImageData(res, n * res);   // reused: no garbage
  const image = atlas.image;
  const words = new Uint32Array(image.data.buffer);
  for (let t = 0; t < n; t++) {
    for (let r = 0; r < res; r++) {
      const src = (t * res + r) * res, dst = (t * res + (res - 1 - r)) * res;
      for (let c = 0; c < res; c++) words[dst + c] = LUT[values[src + c]];
    }
  }
  ctx.putImageData(image, 0, 0);
  return n;
}

class PlaygroundView {
  constructor(model, el) {
    this.model = model;
    this.el = el;
    el.classList.add("dlc-pg");
    el.innerHTML = `
      <div class="dlc-pg-bar">
        <button class="dlc-pg-play" data-dlc-play title="train / pause">▶</button>
        <button class="dlc-pg-button" data-dlc-step
                title="one frame: &quot;steps per frame&quot; training steps">step</button>
        <button class="dlc-pg-button" data-dlc-reset
                title="start again from the seed's initial weights">reset</button>
        <div class="dlc-pg-title">
          <div class="dlc-pg-line1"></div><div class="dlc-pg-line2"></div>
        </div>
      </div>
      <div class="dlc-pg-body">
        <canvas class="dlc-pg-net"></canvas>
        <div class="dlc-pg-side">
          <div class="dlc-pg-caption dlc-pg-output-caption"></div>
          <canvas class="dlc-pg-out"></canvas>
          <div class="dlc-pg-caption">loss: training <span style="color:#9e9e9e">━</span>,
            test <span style="color:#222">━</span></div>
          <canvas class="dlc-pg-loss"></canvas>
        </div>
      </div>`;
    const $ = (selector) => el.querySelector(selector);
    this.playButton = $("[data-dlc-play]");
    this.line1 = $(".dlc-pg-line1");
    this.line2 = $(".dlc-pg-line2");
    this.outputCaption = $(".dlc-pg-output-caption");
    this.netCanvas = $(".dlc-pg-net");
    this.outCanvas = $(".dlc-pg-out");
    this.lossCanvas = $(".dlc-pg-loss");
    this.atlas = canvas(1, 1);        // hidden neurons and the output, one tile each
    this.featureAtlas = canvas(1, 1);
    this.pointsLayer = canvas(PLOT, PLOT);
    this.seen = -1;                   // the last frame drawn
    this.queue = [];                  // frames received and not drawn yet, oldest first
    this.texted = 0;                  // when the lines of text last changed
    this.drawn = 0;                   // frames drawn since the last report
    this.reported = performance.now();
    this.reporter = 0;
    this.raf = 0;
    this.dirty = {frame: true, features: true, points: true, static: true};
    this.alive = true;

    this.playButton.addEventListener("click", () => {
      model.set("playing", !model.get("playing"));
      model.save_changes();
    });
    $("[data-dlc-step]").addEventListener("click", () => model.send({type: "step"}));
    $("[data-dlc-reset]").addEventListener("click", () => model.send({type: "reset"}));
    model.on("change:frame", () => {   // every trait of the frame is set by now
      this.queue.push(this.snapshot());
      if (this.queue.length > QUEUE) this.queue.shift();
      this.touch("frame");
    });
    model.on("change:feature_maps", () => { this.dirty.static = true; this.touch("features"); });
    model.on("change:points", () => this.touch("points"));
    model.on("change:spec", () => { this.dirty.points = this.dirty.static = true; this.touch("frame"); });
    model.on("change:playing", () => this.playingChanged());
    this.width = 880;                 // the output area's width, as the observer last saw it
    this.resize = new ResizeObserver((entries) => {
      const width = Math.min(entries[entries.length - 1].contentRect.width || 880, 900);
      if (width !== this.width) {
        this.width = width;
        this.dirty.static = true;
        this.touch("frame");
      }
    });
    this.resize.observe(el);
    this.playingChanged();
    this.touch("frame");
  }

  destroy() {
    this.alive = false;
    this.resize.disconnect();
    clearInterval(this.reporter);
    if (this.raf) cancelAnimationFrame(this.raf);
  }

  touch(part) {
    this.dirty[part] = true;
    this.schedule();
  }

  schedule() {
    if (!this.raf && this.alive) this.raf = requestAnimationFrame(() => this.onAnimationFrame());
  }

  playingChanged() {
    const playing = this.model.get("playing");
    this.playButton.textContent = playing ? "⏸" : "▶";
    this.playButton.classList.toggle("dlc-pg-playing", playing);
    clearInterval(this.reporter);
    if (playing) {
      this.drawn = 0;
      this.reported = performance.now();
      this.reporter = setInterval(() => this.report(), ACK_MS);
    } else {
      this.touch("frame");            // the last frame's text, in full
    }
  }

  // Tell the kernel the last frame drawn, and how many frames per second were drawn: it sets
  // its pace by it.
  report() {
    if (!this.alive || !this.model.get("playing")) return clearInterval(this.reporter);
    const now = performance.now(), per = 1000 / Math.max(now - this.reported, 1);
    this.model.send({type: "drawn", frame: this.seen, fps: Math.round(this.drawn * per * 10) / 10});
    this.drawn = 0;
    this.reported = now;
  }

  // What a frame draws, as the model holds it now (arrays are replaced, never changed, by a
  // new frame: keeping references is enough).
  snapshot() {
    const m = this.model;
    return {frame: m.get("frame"), spec: m.get("spec") || {}, stats: m.get("stats") || {},
            heatmaps: m.get("heatmaps"), weights: m.get("weights"), curves: m.get("curves")};
  }

  onAnimationFrame() {            // requested only when something new is to be drawn
    this.raf = 0;
    if (!this.alive) return;
    // The oldest waiting frame while ▶ runs, else the newest; never one of an earlier network.
    const spec = this.model.get("spec");
    this.queue = this.queue.filter((f) => f.spec === spec);
    const frame = this.model.get("playing") ? this.queue.shift() : this.queue.pop();
    if (!this.model.get("playing")) this.queue = [];
    this.draw(frame || this.snapshot());
    this.drawn += 1;
    if (this.queue.length) this.schedule();
  }

  draw(frame) {
    const model = this.model, spec = frame.spec, stats = frame.stats;
    if (!spec.res) return;
    if (this.dirty.features) paintTiles(this.featureAtlas, bytes(model.get("feature_maps")), spec.res);
    if (this.dirty.points) this.drawPoints(spec);
    paintTiles(this.atlas, bytes(frame.heatmaps), spec.res);
    const full = this.dirty.static;   // redraw the parts that change only with the network too
    this.dirty = {frame: false, features: false, points: false, static: false};
    this.seen = frame.frame;
    // Text costs the page a layout: ten times a second is enough to read it.
    const now = performance.now();
    if (full || !model.get("playing") || now - this.texted >= TEXT_MS) {
      this.texted = now;
      if (this.line1.textContent !== stats.title) this.line1.textContent = stats.title || "";
      if (this.line2.textContent !== stats.setup) this.line2.textContent = stats.setup || "";
      this.line1.classList.toggle("dlc-pg-diverged", !!stats.diverged);
    }
    if (full) {
      this.outputCaption.textContent = spec.regression
        ? "output: the prediction · points: training (white edge), test (black edge)"
        : "output: P(class 1) · points: training (white edge), test (black edge)";
    }
    this.drawNetwork(spec, floats(frame.weights), this.width, full);
    this.drawOutput(spec, full);
    this.drawLoss(floats(frame.curves));
  }

  // Each frame redraws only what training changes: the links and the hidden and output tiles;
  // the features, their labels and the column names only when `full`.
  drawNetwork(spec, weights, width, full) {
    const hidden = spec.hidden, features = spec.features, res = spec.res;
    const columns = [features.length, ...hidden, 1];
    const rows = Math.max(...columns);
    const left = 62, top = 20, right = 8;
    // Tiles and gaps shrink to fit beside the output panel, or below it in a narrow output area.
    const room = width >= 620 + SIDE ? width - SIDE - 16 : width;
    let tile = 32, gap = (room - left - right - columns.length * tile) / (columns.length - 1);
    if (gap < 30) {
      gap = 30;
      tile = Math.max(18, (room - left - right - gap * (columns.length - 1)) / columns.length);
    }
    gap = Math.min(gap, 110);
    const rowGap = Math.max(6, tile / 4);
    const w = left + columns.length * tile + (columns.length - 1) * gap + right;
    const h = top + rows * tile + (rows - 1) * rowGap + 6;
    const ctx = sized(this.netCanvas, w, h);
    const x = (c) => left + c * (tile + gap);
    if (full) ctx.clearRect(0, 0, w, h);
    else ctx.clearRect(x(0) + tile, top - 2, w, h);
    const y = (c, i) => top + ((rows - columns[c]) * (tile + rowGap)) / 2 + i * (tile + rowGap);
    // links, under the tiles
    const active = features.map((f, k) => (f[2] ? k : -1)).filter((k) => k >= 0);
    let k = 0;
    ctx.globalAlpha = 0.75;
    for (let layer = 0; layer < columns.length - 1; layer++) {
      const sources = layer === 0 ? active : [...Array(columns[layer]).keys()];
      for (let j = 0; j < columns[layer + 1]; j++) {
        const x1 = x(layer + 1), y1 = y(layer + 1, j) + tile / 2;
        for (const i of sources) {
          const value = weights[k++];
          if (!Number.isFinite(value)) continue;
          const x0 = x(layer) + tile, y0 = y(layer, i) + tile / 2, mid = (x0 + x1) / 2;
          ctx.beginPath();
          ctx.moveTo(x0, y0);
          ctx.bezierCurveTo(mid, y0, mid, y1, x1, y1);
          ctx.lineWidth = Math.min(0.6 + 2.5 * Math.abs(value), 6);
          ctx.strokeStyle = value < 0 ? "rgb(245,147,34)" : "rgb(8,119,189)";
          ctx.stroke();
        }
      }
    }
    ctx.globalAlpha = 1;
    ctx.imageSmoothingEnabled = true;
    const drawTile = (atlas, index, c, i, alpha = 1) => {
      ctx.globalAlpha = alpha;
      ctx.drawImage(atlas, 0, index * res, res, res, x(c), y(c, i), tile, tile);
      ctx.globalAlpha = 1;
      ctx.strokeStyle = "#bbb";
      ctx.lineWidth = 1;
      ctx.strokeRect(x(c) + 0.5, y(c, i) + 0.5, tile - 1, tile - 1);
    };
    let n = 0;
    hidden.forEach((size, layer) => {
      for (let j = 0; j < size; j++) drawTile(this.atlas, n++, layer + 1, j);
    });
    drawTile(this.atlas, n, columns.length - 1, 0);
    if (!full) return;
    ctx.font = `11px ${FONT}`;
    ctx.textBaseline = "middle";
    ctx.textAlign = "right";
    features.forEach(([, label, on], f) => {
      drawTile(this.featureAtlas, f, 0, f, on ? 1 : 0.25);
      ctx.fillStyle = on ? "#333" : "#aaa";
      ctx.fillText(label, x(0) - 5, y(0, f) + tile / 2);
    });
    ctx.fillStyle = "#333";
    ctx.textAlign = "center";
    ctx.textBaseline = "alphabetic";
    ctx.font = `bold 11px ${FONT}`;
    const names = ["features", ...hidden.map((size, l) => `layer ${l + 1}`), "output"];
    names.forEach((name, c) => ctx.fillText(name, x(c) + tile / 2, top - 6));
  }

  drawPoints(spec) {
    const ctx = this.pointsLayer.getContext("2d");
    ctx.clearRect(0, 0, PLOT, PLOT);
    const p = floats(this.model.get("points")), e = spec.extent;
    const scale = PLOT / (2 * e);
    for (const test of [0, 1]) {           // training points first, test points on top
      if (test && !spec.show_test) continue;
      ctx.strokeStyle = test ? "#000" : "#fff";
      ctx.lineWidth = 1;
      for (let i = 0; i + 3 < p.length; i += 4) {
        if (p[i + 3] !== test) continue;
        const t = spec.regression ? (p[i + 2] + 1) / 2 : p[i + 2];
        ctx.fillStyle = css(Math.max(0, Math.min(255, Math.round(t * 255))));
        ctx.beginPath();
        ctx.arc((p[i] + e) * scale, (e - p[i + 1]) * scale, 2.6, 0, 2 * Math.PI);
        ctx.fill();
        ctx.stroke();
      }
    }
  }

  // The heatmap and the points each frame; the axes and the colour bar only when `full`.
  drawOutput(spec, full) {
    const left = 30, top = 4, h = PLOT + 44;
    const ctx = sized(this.outCanvas, SIDE, h);
    const res = spec.res, tiles = Math.floor(this.atlas.height / res);
    ctx.imageSmoothingEnabled = true;
    ctx.drawImage(this.atlas, 0, (tiles - 1) * res, res, res, left, top, PLOT, PLOT);
    ctx.drawImage(this.pointsLayer, left, top);
    ctx.strokeStyle = "#999";
    ctx.strokeRect(left + 0.5, top + 0.5, PLOT - 1, PLOT - 1);
    if (!full) return;
    ctx.clearRect(0, 0, left, h);
    ctx.clearRect(0, top + PLOT, SIDE, h - top - PLOT);
    // axes: -1, 0, 1 on a plane of [-extent, extent]
    ctx.fillStyle = "#444";
    ctx.font = `10px ${FONT}`;
    const at = (v) => ((v + spec.extent) / (2 * spec.extent)) * PLOT;
    ctx.textAlign = "center";
    ctx.textBaseline = "top";
    for (const v of [-1, 0, 1]) ctx.fillText(String(v), left + at(v), top + PLOT + 3);
    ctx.fillText("x₁", left + PLOT / 2 + 30, top + PLOT + 3);
    ctx.textAlign = "right";
    ctx.textBaseline = "middle";
    for (const v of [-1, 0, 1]) ctx.fillText(String(v), left - 4, top + PLOT - at(v));
    ctx.fillText("x₂", left - 4, top + PLOT / 2 - 26);
    // colour bar
    const barTop = top + PLOT + 20, barW = 150, barX = left + (PLOT - barW) / 2;
    for (let i = 0; i < barW; i++) {
      ctx.fillStyle = css(Math.round((i / (barW - 1)) * 255));
      ctx.fillRect(barX + i, barTop, 1, 8);
    }
    const [lo, mid, hi] = spec.regression ? ["−1", "0", "1"] : ["0", "0.5", "1"];
    ctx.textAlign = "center";
    ctx.textBaseline = "top";
    ctx.fillStyle = "#444";
    ctx.fillText(lo, barX, barTop + 10);
    ctx.fillText(mid, barX + barW / 2, barTop + 10);
    ctx.fillText(hi, barX + barW, barTop + 10);
  }

  drawLoss(curves) {
    const w = SIDE, h = 96, left = 30, right = 8, top = 6, bottom = 18;
    const ctx = sized(this.lossCanvas, w, h);
    ctx.clearRect(0, 0, w, h);
    const m = Math.floor(curves.length / 3);
    const steps = curves.subarray(0, m), train = curves.subarray(m, 2 * m);
    const test = curves.subarray(2 * m, 3 * m);
    let top_ = 0;
    for (let i = 0; i < m; i++) {
      for (const v of [train[i], test[i]]) if (Number.isFinite(v) && v > top_) top_ = v;
    }
    top_ = top_ || 1;
    const lastStep = m ? steps[m - 1] : 0, last = Math.max(lastStep, 1);
    const px = (s) => left + (s / last) * (w - left - right);
    const py = (v) => top + (1 - Math.min(v, top_) / top_) * (h - top - bottom);
    ctx.strokeStyle = "#ccc";
    ctx.lineWidth = 1;
    ctx.beginPath();
    ctx.moveTo(left, top);
    ctx.lineTo(left, h - bottom);
    ctx.lineTo(w - right, h - bottom);
    ctx.stroke();
    for (const [values, colour] of [[train, "#9e9e9e"], [test, "#222222"]]) {
      ctx.strokeStyle = colour;
      ctx.lineWidth = 1.6;
      ctx.beginPath();
      let pen = false;
      for (let i = 0; i < m; i++) {
        if (!Number.isFinite(values[i])) { pen = false; continue; }
        if (pen) ctx.lineTo(px(steps[i]), py(values[i]));
        else ctx.moveTo(px(steps[i]), py(values[i]));
        pen = true;
      }
      ctx.stroke();
    }
    ctx.fillStyle = "#444";
    ctx.font = `10px ${FONT}`;
    ctx.textAlign = "right";
    ctx.textBaseline = "top";
    ctx.fillText(top_.toPrecision(2), left - 3, top - 2);
    ctx.textBaseline = "bottom";
    ctx.fillText("0", left - 3, h - bottom + 4);
    ctx.textAlign = "center";
    ctx.textBaseline = "top";
    ctx.fillText(`training steps (${Math.round(lastStep).toLocaleString("en")})`,
                 (left + w - right) / 2, h - bottom + 3);
  }
}

// anywidget gives a model's module 2 s to start (from the model's creation); past that it drops
// every later message to the model, for good: a frozen picture. On a busy machine another long
// task on the page (a large plot drawing, plotly.js loading) can take longer than that. So this
// model's messages go straight to ipywidgets' own handler, whatever anywidget decided.
async function rescue(model) {
  const id = model.get("_dlc_id");
  if (!id || !model.widget_manager || !model.widget_manager.get_model) return;
  const real = await model.widget_manager.get_model(id);
  const ipywidgets = Object.getPrototypeOf(Object.getPrototypeOf(real));   // past AnyModel
  if (!real || !real.comm || typeof ipywidgets._handle_comm_msg !== "function") return;
  real.comm.on_msg((msg) => ipywidgets._handle_comm_msg.call(real, msg));
}

export default {
  initialize({ model }) {
    rescue(model).catch(console.error);
  },
  render({ model, el }) {
    const view = new PlaygroundView(model, el);
    return () => view.destroy();
  },
};
