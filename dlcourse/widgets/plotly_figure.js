// dlcourse's plotly figures in the browser: a small module, plotly.js loaded once per page.
//
// plotly's own FigureWidget front-end is a 5 MB module that every figure loads and evaluates
// again; anywidget gives a module 2 s to start, after which it drops every message to that
// figure for good (a frozen plot). This module is small and starts at once. plotly.js itself
// comes once per page, from the kernel's PlotlyLibrary widget (plotly_figure.py), and every
// figure shares it. The kernel sends each change as the traces it touched, whole, and the
// layout when it changed, numbered; a gap in the numbers (a lost message) makes the view ask
// for the whole figure again. Plotly.react redraws only the traces that changed (new arrays), so a slider
// that moves a path over a contour plot does not compute the contours again.
//
// anywidget evaluates this module once per model: the variables below belong to one figure.

const KEY = "__dlcoursePlotly";
const TYPES = {int8: Int8Array, int16: Int16Array, int32: Int32Array, uint8: Uint8Array,
               uint16: Uint16Array, uint32: Uint32Array, float32: Float32Array,
               float64: Float64Array};

async function libraryModel(model) {
  const ref = model.get("_plotly");
  if (ref && typeof ref === "object" && typeof ref.get === "function") return ref;
  if (typeof ref === "string" && ref.startsWith("IPY_MODEL_")) {
    return await model.widget_manager.get_model(ref.slice("IPY_MODEL_".length));
  }
  throw new Error("[dlcourse] this figure names no plotly.js library");
}

// plotly.js, loaded once per page from the library widget's source (a UMD bundle).
function plotly(model) {
  if (!globalThis[KEY]) {
    globalThis[KEY] = (async () => {
      const library = await libraryModel(model);
      const source = library.get("source");
      const text = new TextDecoder().decode(
        ArrayBuffer.isView(source) ? source : new Uint8Array(source));
      const url = URL.createObjectURL(new Blob([
        "const module = {exports: {}}; const exports = module.exports;\n", text,
        "\nexport default module.exports;\n"], {type: "text/javascript"}));
      try {
        return (await import(/* webpackIgnore: true */ url)).default;
      } finally {
        URL.revokeObjectURL(url);
      }
    })();
    globalThis[KEY].catch(() => { delete globalThis[KEY]; });   // let a later figure retry
  }
  return globalThis[KEY];
}

// plotly's serializer sends 1-D numeric arrays as {buffer, dtype, shape}: typed arrays again.
function revive(value) {
  if (value === "_undefined_") return undefined;
  if (Array.isArray(value)) return value.map(revive);
  if (value && typeof value === "object") {
    if (value.dtype && value.buffer && TYPES[value.dtype]) {
      const b = value.buffer;
      const bytes = ArrayBuffer.isView(b) ? b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength)
                                          : b;
      return new TYPES[value.dtype](bytes);
    }
    const out = {};
    for (const [k, v] of Object.entries(value)) out[k] = revive(v);
    return out;
  }
  return value;
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

// The figure as this page knows it, shared by the model's views: version, traces, layout.
let figure = null;
const views = new Set();

function applyMessage(model, msg, buffers) {
  if (msg.type !== "figure") return;
  (msg.buffer_paths || []).forEach((path, i) => {           // binary arrays back in place
    let node = msg;
    for (const key of path.slice(0, -1)) node = node[key];
    node[path[path.length - 1]] = buffers[i];
  });
  if (msg.everything) {
    figure = {version: msg.version, data: revive(msg.data), layout: revive(msg.layout),
              template: msg.template || figure.template};
  } else if (!figure || msg.version !== figure.version + 1) {
    model.send({type: "sync"});                             // a message went missing
    return;
  } else {
    figure.version = msg.version;
    for (const [i, trace] of Object.entries(msg.traces || {})) figure.data[+i] = revive(trace);
    figure.data.length = msg.n;
    if (msg.layout) figure.layout = revive(msg.layout);
    if (msg.template) figure.template = msg.template;
  }
  for (const redraw of views) redraw();
}

export default {
  initialize({ model }) {
    rescue(model).catch(console.error);
    figure = {version: model.get("_dlc_version") || 0, data: revive(model.get("_widget_data") || []),
              layout: revive(model.get("_widget_layout") || {}),
              template: model.get("_dlc_template")};
    model.on("msg:custom", (msg, buffers) => applyMessage(model, msg, buffers));
  },
  render({ model, el }) {
    const plot = document.createElement("div");
    plot.className = "dlc-figure";
    el.appendChild(plot);
    let frame = 0, alive = true, Plotly = null;
    const draw = async () => {
      frame = 0;
      Plotly = Plotly || await plotly(model);
      if (!alive) return;
      const layout = {...figure.layout, template: figure.template || figure.layout.template};
      layout.uirevision = layout.uirevision ?? "dlcourse";   // keep the learner's zoom
      const room = el.clientWidth;                          // fit a narrower output area
      if (room > 100 && layout.width > room) layout.width = room;
      const config = {displaylogo: false, ...(model.get("_config") || {})};
      await Plotly.react(plot, figure.data.slice(), layout, config);
    };
    const schedule = () => {
      if (!frame && alive) frame = requestAnimationFrame(() => draw().catch(console.error));
    };
    views.add(schedule);
    let width = el.clientWidth;
    const resize = new ResizeObserver(() => {              // redraw when the width changes
      if (el.clientWidth !== width) { width = el.clientWidth; schedule(); }
    });
    resize.observe(el);
    schedule();
    return () => {
      alive = false;
      views.delete(schedule);
      resize.disconnect();
      if (frame) cancelAnimationFrame(frame);
      if (Plotly) Plotly.purge(plot);
    };
  },
};
