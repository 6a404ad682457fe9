import { PROTOCOL_JS } from "../frames/protocol";
import { SLIDER_JS } from "../frames/slider-script";

/**
 * Parent side of the frame bridge (extensions reference §2, https://apidocs.bitrix24.com/sdk/bx24-js-sdk/index.html)
 * as plain browser JS, shared by the launcher, the deal card and the sliders they open. It keeps one record per
 * frame it created and trusts a message only from that frame's window, from the app's origin, with its APP_SID;
 * replies "<cb>:<json>" go to the app origin only, and only when the message had a callback id. Every message
 * from one of its frames is reported to the portal server (fire-and-forget) for the test bridge log.
 *
 * CFG: { userId, clientId, reloadUrl, main: {elementId, formId, sid, name, kind, placement, appOrigin, init},
 *        tabs?: {endpoint, containerId} }
 */
export function bridgeScript(cfgJson: string): string {
  return `(function () {
  var CFG = ${cfgJson};
  ${PROTOCOL_JS}
  var FRAMES = [];
  var notice = document.getElementById("portal-notice");

  function addFrame(spec, el) {
    var f = { sid: spec.sid, kind: spec.kind, placement: spec.placement, appOrigin: spec.appOrigin, init: spec.init, el: el, events: {}, value: undefined };
    FRAMES.push(f);
    return f;
  }
  function dropFrame(f) { FRAMES = FRAMES.filter(function (x) { return x !== f; }); }
  function frameOf(win) {
    for (var i = 0; i < FRAMES.length; i++) if (win && FRAMES[i].el.contentWindow === win) return FRAMES[i];
    return null;
  }
  // Inserts the iframe (named before insertion, or Chrome's form target misses it) and submits the spec's form into it.
  function mountFrame(spec, iframe, parent) {
    iframe.name = spec.name;
    parent.appendChild(iframe);
    var form = document.createElement("form");
    form.method = "post"; form.target = spec.name; form.action = spec.action; form.style.display = "none";
    Object.keys(spec.fields).forEach(function (k) {
      var i = document.createElement("input"); i.type = "hidden"; i.name = k; i.value = spec.fields[k]; form.appendChild(i);
    });
    document.body.appendChild(form);
    var f = addFrame(spec, iframe);
    form.submit();
    return f;
  }
  function api(path, sid, body) {
    return fetch(path + "?sid=" + encodeURIComponent(sid), { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body || {}) })
      .then(function (r) { return r.json().then(function (b) { return { ok: r.ok, body: b }; }, function () { return { ok: r.ok, body: {} }; }); });
  }
  // Log posts are fire-and-forget and may overtake each other; page + n let the portal keep them in the order received.
  var LOG_PAGE = Math.random().toString(36).slice(2), logN = 0;
  function log(f, m, answered, denied) {
    var entry = { command: m.cmd, params: m.params, answered: answered, page: LOG_PAGE, n: ++logN };
    if (denied) entry.denied = denied;
    try {
      fetch("/marketplace/app/bridge-log?sid=" + encodeURIComponent(f.sid), { method: "POST", keepalive: true, headers: { "content-type": "application/json" }, body: JSON.stringify(entry) }).catch(function () {});
    } catch (e) { /* logging must never break the bridge */ }
  }
  function send(f, cb, result) {
    if (!cb || !f.el.contentWindow) return;
    f.el.contentWindow.postMessage(replyText(cb, result), f.appOrigin);
  }
  function say(text) { if (notice) notice.textContent = text; }
  function setTitle(f, title) {
    if (f.slider) { f.slider.titleEl.textContent = title; return; }
    var el = document.getElementById("app-title");
    if (el) el.textContent = title;
    document.title = title;
  }
  ${SLIDER_JS}

  // Returns (or resolves to) whether the parent answers this message when it has a callback id.
  function handle(f, m) {
    var p = m.params && typeof m.params === "object" ? m.params : {};
    switch (m.cmd) {
      case "getInitData":
        send(f, m.cb, f.init);
        f.init.FIRST_RUN = false;
        return true;
      case "refreshAuth":
        return api("/marketplace/app/auth", f.sid).then(function (r) {
          if (!r.ok) { say("Unable to get new token! Reload page, please!"); return false; }
          f.init.AUTH_ID = r.body.AUTH_ID; f.init.REFRESH_ID = r.body.REFRESH_ID; f.init.AUTH_EXPIRES = r.body.AUTH_EXPIRES;
          send(f, m.cb, r.body);
          return true;
        });
      case "setInstallFinish":
        var ok = p.value !== false;
        (ok ? api("/marketplace/app/install-finish", f.sid) : Promise.resolve({ ok: true })).then(function (r) {
          var statusEl = document.getElementById("status");
          if (!r.ok) { if (statusEl) statusEl.textContent = "Installation failed"; return; }
          if (statusEl) statusEl.textContent = "Installation finished";
          location.href = CFG.reloadUrl + (CFG.reloadUrl.indexOf("?") >= 0 ? "&" : "?") + "install_finished=" + (ok ? "Y" : "N");
        });
        return false;
      case "resizeWindow":
        var w = cssSize(p.width), h = cssSize(p.height);
        if (w) f.el.style.width = w;
        if (h) f.el.style.height = h;
        send(f, m.cb, { width: f.el.offsetWidth, height: f.el.offsetHeight });
        return true;
      case "setTitle": setTitle(f, String(p.title || "")); send(f, m.cb, p); return true;
      case "setScroll": window.scrollTo(0, parseInt(p.scroll, 10) || 0); send(f, m.cb, p); return true;
      case "reloadWindow": location.reload(); return false;
      case "setInstall": case "setUserOption": case "setAppOption": case "selectUser": case "selectAccess": case "selectCRM":
        return api("/marketplace/app/bridge", f.sid, { command: m.cmd, params: p }).then(function (r) {
          if (!r.ok || !("reply" in r.body)) return false;
          if (m.cmd === "setUserOption") f.init.USER_OPTIONS[p.name] = p.value;
          if (m.cmd === "setAppOption") f.init.APP_OPTIONS = r.body.reply;
          send(f, m.cb, r.body.reply);
          return true;
        });
      case "openApplication": return openApplication(f, m, p);
      case "closeApplication": return closeApplication(f, m);
      case "openPath": return openPath(f, m, p);
      case "imCallTo": case "imPhoneTo": case "imOpenMessenger": case "imOpenHistory":
        say(m.cmd + " " + JSON.stringify(p));
        return false;
      case "getInterface": send(f, m.cb, placementInterface(f.placement)); return true;
      case "placementBindEvent":
        // Answered on every occurrence of a declared event; nothing in the emulator fires one yet.
        if (placementInterface(f.placement).event.indexOf(String(p.event || "")) < 0) return false;
        f.events[String(p.event)] = m.cb;
        return true;
      case "reloadData":
        var counter = document.getElementById("card-reloads");
        if (counter) counter.textContent = String((parseInt(counter.textContent, 10) || 0) + 1);
        send(f, m.cb);
        return true;
      case "setValue": f.value = m.params; send(f, m.cb); return true;
      case "getValue": send(f, m.cb, f.value); return true;
      default: return false;
    }
  }

  window.addEventListener("message", function (ev) {
    var f = frameOf(ev.source);
    if (!f) return;
    var m = parseMessage(ev.data);
    if (!m) return;
    if (ev.origin !== f.appOrigin) return log(f, m, false, "origin");
    if (m.sid !== f.sid) return log(f, m, false, "sid");
    var why = denial(f.kind, f.placement, m.cmd);
    if (why) return log(f, m, false, why);
    var logged = false;
    Promise.resolve(handle(f, m)).then(function (a) { logged = true; log(f, m, !!a && !!m.cb); }, function () { if (!logged) log(f, m, false, "error"); });
  });

  if (CFG.main) {
    addFrame(CFG.main, document.getElementById(CFG.main.elementId));
    document.getElementById(CFG.main.formId).submit();
  }
  if (CFG.tabs) setupTabs(CFG.tabs);
})();`;
}
