/**
 * Parent side of the BX24 postMessage protocol (https://apidocs.bitrix24.com/sdk/bx24-js-sdk/index.html), as plain browser JS. Messages are
 * "command:jsonParams:callbackId:APP_SID" (params may contain ':'), or the newer object form; replies are
 * "callbackId:jsonResult" sent to the app origin only.
 */
export function bridgeScript(cfgJson: string): string {
  return `(function () {
  var CFG = ${cfgJson};
  var frame = document.getElementById("app-frame");
  var statusEl = document.getElementById("status");
  function parse(data) {
    if (typeof data === "string") {
      var parts = data.split(":");
      if (parts.length < 2) return null;
      var raw = parts.slice(1, -2).join(":");
      var params = {};
      if (raw) { try { params = JSON.parse(raw); } catch (e) { params = raw; } }
      return { cmd: parts[0], params: params, cb: parts.length > 2 ? parts[parts.length - 2] : "", sid: parts[parts.length - 1] };
    }
    if (data && typeof data === "object") return { cmd: data.method, params: data.params || {}, cb: data.callback || "", sid: data.appSid };
    return null;
  }
  function post(url) {
    return fetch(url + "?sid=" + encodeURIComponent(CFG.sid), { method: "POST" }).then(function (r) {
      return r.json().then(function (b) { return { ok: r.ok, body: b }; });
    });
  }
  window.addEventListener("message", function (ev) {
    if (ev.origin !== CFG.appOrigin || ev.source !== frame.contentWindow) return;
    var m = parse(ev.data);
    if (!m || m.sid !== CFG.sid) return;
    function reply(result) {
      if (!m.cb) return;
      frame.contentWindow.postMessage(m.cb + ":" + (result === undefined ? "" : JSON.stringify(result)), CFG.appOrigin);
    }
    switch (m.cmd) {
      case "getInitData": reply(CFG.init); break;
      case "refreshAuth":
        post("/marketplace/app/auth").then(function (r) {
          if (r.ok) { CFG.init.AUTH_ID = r.body.AUTH_ID; CFG.init.REFRESH_ID = r.body.REFRESH_ID; CFG.init.AUTH_EXPIRES = r.body.AUTH_EXPIRES; }
          reply(r.body);
        });
        break;
      case "setInstallFinish":
        post("/marketplace/app/install-finish").then(function (r) {
          reply(r.body);
          if (!r.ok) { statusEl.textContent = "Installation failed"; return; }
          statusEl.textContent = "Installation finished";
          location.href = "/marketplace/app/?user=" + CFG.userId + "&install_finished=Y";
        });
        break;
      case "resizeWindow":
        if (m.params && m.params.height) frame.style.height = parseInt(m.params.height, 10) + "px";
        if (m.params && m.params.width) frame.style.width = parseInt(m.params.width, 10) + "px";
        reply({});
        break;
      case "setTitle":
        var title = (m.params && m.params.title) || "";
        document.getElementById("app-title").textContent = title;
        document.title = title;
        reply({});
        break;
      case "getInterface": reply({ command: [], event: [] }); break;
      // "Reloads the portal page": the page renders a fresh AUTH_ID/REFRESH_ID, as on any open.
      case "reloadWindow": location.reload(); break;
      case "setAppOption": case "setUserOption": case "setScroll": case "closeApplication": reply({}); break;
      default: break;
    }
  });
  document.getElementById("app-form").submit();
})();`;
}
