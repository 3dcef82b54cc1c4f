// A Plotly chart that stays in the page and redraws in place (Plotly.react) at each new figure.
// Mounted by ui/live_chart.py as an st.components.v2 component in the page itself (no frame), so
// Plotly is loaded once per page: from the plotly package's own plotly.min.js, served beside this file.
function plotly(src) {
  if (!window.__archatlasPlotly) {
    window.__archatlasPlotly = window.Plotly ? Promise.resolve(window.Plotly) : new Promise((resolve, reject) => {
      const s = document.createElement("script");
      s.src = src;
      s.onload = () => resolve(window.Plotly);
      s.onerror = () => { window.__archatlasPlotly = null; reject(new Error("could not load " + src)); };
      document.head.appendChild(s);
    });
  }
  return window.__archatlasPlotly;
}

export default function (component) {
  const { data, parentElement } = component;
  let div = parentElement.querySelector(".archatlas-live-chart");
  if (!div) {
    div = document.createElement("div");
    div.className = "archatlas-live-chart";
    div.style.width = "100%";
    parentElement.appendChild(div);
  }
  div.style.height = data.height + "px";
  // one redraw at a time; a figure that arrives meanwhile replaces any still waiting
  div.__pending = data.spec;
  div.__config = Object.assign({responsive: true, displaylogo: false}, data.config || {});
  if (div.__drawing) return;
  const draw = (P) => {
    const spec = div.__pending;
    if (spec === null) { div.__drawing = false; return; }
    div.__pending = null;
    div.__drawing = true;
    const fig = JSON.parse(spec);
    const layout = Object.assign({}, fig.layout || {}, {autosize: true});
    P.react(div, fig.data || [], layout, div.__config)
      .catch((e) => console.error(e))
      .then(() => draw(P));
  };
  plotly(data.src).then(draw, (e) => { div.textContent = String(e); });
}
