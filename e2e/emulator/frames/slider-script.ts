/**
 * Browser JS spliced into bridgeScript (it uses that closure's FRAMES, api, send, mountFrame, dropFrame): the
 * portal's sliders (openApplication, openPath) and the CRM card's placement tabs.
 * A slider is `.b24-slider[role=dialog]` with a `.b24-slider-close` button and, for the app, `iframe.b24-slider-frame`.
 */
export const SLIDER_CSS = `.b24-slider{position:fixed;inset:0;background:rgba(20,30,50,.45);display:flex;justify-content:flex-end;z-index:10}
.b24-slider[hidden]{display:none}.b24-slider-panel{background:#fff;width:80%;height:100%;display:flex;flex-direction:column}
.b24-slider-head{display:flex;justify-content:space-between;align-items:center;padding:.5rem 1rem;border-bottom:1px solid #ccd}
.b24-slider-frame{flex:1;width:100%;border:0}.b24-slider-label{margin-left:.5rem;padding:0 .4rem;border-radius:.3rem}
[role=tab][aria-selected=true]{font-weight:bold;border-bottom:2px solid #2fc6f6}`;

export const SLIDER_JS = String.raw`
  var SLIDERS = [];
  var sliderSeq = 0;
  function sliderShell(title, width, isApp) {
    var n = ++sliderSeq;
    var root = document.createElement("div");
    root.className = "b24-slider"; root.id = "slider-" + n;
    root.setAttribute("role", "dialog"); root.setAttribute("aria-label", title || "Application");
    var panel = document.createElement("div"); panel.className = "b24-slider-panel";
    var w = parseInt(width, 10);
    if (w > 0) panel.style.width = w + "px";
    var head = document.createElement("div"); head.className = "b24-slider-head";
    var titleEl = document.createElement("span"); titleEl.className = "b24-slider-title"; titleEl.textContent = title || "";
    var close = document.createElement("button"); close.type = "button"; close.className = "b24-slider-close"; close.textContent = "Close";
    head.appendChild(titleEl); head.appendChild(close); panel.appendChild(head); root.appendChild(panel);
    document.body.appendChild(root);
    var s = { n: n, root: root, panel: panel, head: head, titleEl: titleEl, onClose: [], frame: null, isApp: isApp, closed: false };
    close.addEventListener("click", function () { closeSlider(s); });
    SLIDERS.push(s);
    return s;
  }
  function closeSlider(s, after) {
    if (s.closed) return;
    s.closed = true;
    SLIDERS = SLIDERS.filter(function (x) { return x !== s; });
    s.root.hidden = true;
    s.onClose.forEach(function (fn) { fn(); });
    if (after) after();
    // The slider's own frame may be the one waiting for closeApplication's answer: remove it once that is delivered.
    setTimeout(function () { if (s.frame) dropFrame(s.frame); s.root.remove(); }, 300);
  }
  function openApplication(f, m, p) {
    return api("/marketplace/app/bridge", f.sid, { command: "openApplication", params: p }).then(function (r) {
      if (!r.ok || !r.body.frame) return false;
      var s = sliderShell(p.bx24_title ? String(p.bx24_title) : "", p.bx24_width, true);
      var label = p.bx24_label;
      if (label && typeof label === "object" && label.text) {
        var l = document.createElement("span"); l.className = "b24-slider-label"; l.textContent = String(label.text);
        if (label.bgColor) l.setAttribute("data-bg", String(label.bgColor));
        if (label.color) l.style.color = String(label.color);
        s.titleEl.appendChild(l);
      }
      var iframe = document.createElement("iframe");
      iframe.id = "slider-frame-" + s.n; iframe.className = "b24-slider-frame"; iframe.title = "Application";
      iframe.setAttribute("allow", "geolocation *; microphone *; camera *; autoplay *;");
      s.frame = mountFrame(r.body.frame, iframe, s.panel);
      s.frame.slider = s;
      s.onClose.push(function () { send(f, m.cb); });
      return true;
    });
  }
  // Core closes only when the top slider is this app's (an openPath page is not).
  function closeApplication(f, m) {
    var top = SLIDERS[SLIDERS.length - 1];
    if (!top || !top.isApp) return false;
    closeSlider(top, function () { send(f, m.cb); });
    return true;
  }
  function openPath(f, m, p) {
    var path = String(p.path || "");
    if (!OPEN_PATH_RE.test(path)) { send(f, m.cb, { result: "error", errorCode: "PATH_NOT_AVAILABLE" }); return true; }
    var url = path + (path.indexOf("?") >= 0 ? "&" : "?") + "from=rest_placement&from_app=" + encodeURIComponent(CFG.clientId);
    var s = sliderShell(path, null, false);
    s.root.className += " b24-slider-path";
    var stub = document.createElement("p"); stub.className = "b24-slider-stub"; stub.textContent = "Portal page " + url;
    s.panel.appendChild(stub);
    s.onClose.push(function () { send(f, m.cb, { result: "close" }); });
    return true;
  }
  function setupTabs(t) {
    var panel = document.getElementById(t.containerId);
    var current = FRAMES[0] || null;
    var tabs = document.querySelectorAll("[role=tab]");
    Array.prototype.forEach.call(tabs, function (btn) {
      btn.addEventListener("click", function () {
        Array.prototype.forEach.call(tabs, function (b) { b.setAttribute("aria-selected", b === btn ? "true" : "false"); });
        fetch(t.endpoint + "?index=" + btn.getAttribute("data-index") + "&" + t.query).then(function (r) { return r.json(); }).then(function (spec) {
          if (!spec.sid) return;
          if (current) dropFrame(current);
          panel.innerHTML = "";
          var iframe = document.createElement("iframe");
          iframe.id = "placement-frame"; iframe.title = btn.textContent;
          iframe.setAttribute("allow", "geolocation *; microphone *; camera *; autoplay *;");
          iframe.style.cssText = t.frameStyle;
          current = mountFrame(spec, iframe, panel);
        });
      });
    });
  }
`;
