/* 内网前端辅助脚本：以 <script src="/static/app.js" defer> 引入，兼容严格 CSP（无内联、无 eval）。 */
(function () {
  "use strict";

  var MSG_SERVER = "服务器暂时无法处理请求，请稍后重试";
  var MSG_FORBIDDEN = "没有权限或页面已过期，请刷新页面后重试";
  var MSG_NETWORK = "网络连接失败，请检查网络后重试";
  var HTMX_FORM = "[hx-post],[hx-get],[hx-put],[hx-patch],[hx-delete]," +
    "[data-hx-post],[data-hx-get],[data-hx-put],[data-hx-patch],[data-hx-delete]";

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : null;
  }

  function showFlash(text, kind) {
    var box = document.getElementById("flash");
    if (!box) { return; }
    box.className = "flash " + kind;
    box.setAttribute("role", "alert");
    box.textContent = text;
  }

  document.addEventListener("htmx:configRequest", function (e) {
    var token = csrfToken();
    if (token) { e.detail.headers["X-CSRFToken"] = token; }
  });

  document.addEventListener("htmx:responseError", function (e) {
    var xhr = e.detail && e.detail.xhr;
    // The server already put its own message into #flash.
    if (xhr && xhr.getResponseHeader("HX-Retarget")) { return; }
    var status = xhr ? xhr.status : 0;
    showFlash(status === 403 ? MSG_FORBIDDEN : MSG_SERVER, "error");
  });

  document.addEventListener("htmx:sendError", function () {
    showFlash(MSG_NETWORK, "error");
  });

  document.addEventListener("click", function (e) {
    var el = e.target instanceof Element ? e.target.closest("[data-print]") : null;
    if (!el) { return; }
    e.preventDefault();
    window.print();
  });

  // 普通（非 htmx）表单的提交确认；htmx 表单请使用 hx-confirm。
  document.addEventListener("submit", function (e) {
    var form = e.target;
    if (!(form instanceof HTMLFormElement) || form.matches(HTMX_FORM)) { return; }
    var boost = form.closest("[hx-boost],[data-hx-boost]");
    if (boost && (boost.getAttribute("hx-boost") || boost.getAttribute("data-hx-boost")) === "true") { return; }
    var source = e.submitter && e.submitter.hasAttribute("data-confirm") ? e.submitter : form;
    var question = source.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      e.preventDefault();
      e.stopImmediatePropagation();
    }
  }, true);
})();
