/* declass reading room: small enhancements over pages that work without
 * scripts.  No framework, no build step, nothing inline (strict CSP).
 *  - footnote references show the note in a preview on hover or focus;
 *  - a change of a filter select submits the search form;
 *  - review forms post with fetch (X-CSRF-Token header) and the page is
 *    updated in place; any failure falls back to a normal submit. */
(function () {
  "use strict";

  /* ---- footnote previews ---------------------------------------------- */
  var preview = null;

  function hidePreview() {
    if (preview && preview.parentNode) preview.parentNode.removeChild(preview);
    preview = null;
  }

  function noteFor(link) {
    var href = link.getAttribute("href") || "";
    if (href.charAt(0) !== "#") return null;
    var id;
    try { id = decodeURIComponent(href.slice(1)); } catch (e) { return null; }
    var note = document.getElementById(id);
    return note && note.classList.contains("dc-fn") ? note : null;
  }

  function showPreview(link) {
    var note = noteFor(link);
    if (!note) return;
    hidePreview();
    preview = document.createElement("div");
    preview.className = "dc-fn-preview";
    preview.setAttribute("role", "tooltip");
    var clone = note.cloneNode(true);
    var back = clone.querySelectorAll(".dc-fnback");
    for (var i = 0; i < back.length; i++) back[i].parentNode.removeChild(back[i]);
    preview.textContent = clone.textContent.trim();
    document.body.appendChild(preview);
    var r = link.getBoundingClientRect();
    var left = Math.max(8, Math.min(r.left + window.scrollX,
                                    window.scrollX + document.documentElement.clientWidth -
                                    preview.offsetWidth - 8));
    preview.style.left = left + "px";
    preview.style.top = (r.bottom + window.scrollY + 6) + "px";
  }

  function fnLink(target) {
    return target && target.closest ? target.closest(".dc-fnref a") : null;
  }

  document.addEventListener("mouseover", function (ev) {
    var a = fnLink(ev.target);
    if (a) showPreview(a);
  });
  document.addEventListener("mouseout", function (ev) {
    if (fnLink(ev.target)) hidePreview();
  });
  document.addEventListener("focusin", function (ev) {
    var a = fnLink(ev.target);
    if (a) showPreview(a); else hidePreview();
  });
  document.addEventListener("click", hidePreview);
  document.addEventListener("keydown", function (ev) {
    if (ev.key === "Escape") hidePreview();
  });

  /* ---- search filters ----------------------------------------------------- */
  document.addEventListener("change", function (ev) {
    var t = ev.target;
    if (t && t.tagName === "SELECT" && t.closest(".dc-filters")) {
      var form = t.closest("form");
      if (form && form.checkValidity()) form.submit();
    }
  });

  /* ---- review forms --------------------------------------------------------- */
  function replaceMain(html, url, focusId) {
    var doc = new DOMParser().parseFromString(html, "text/html");
    var fresh = doc.querySelector("main");
    var main = document.querySelector("main");
    if (!fresh || !main) return false;
    main.innerHTML = fresh.innerHTML;
    if (doc.title) document.title = doc.title;
    if (url && window.history && history.replaceState) history.replaceState(null, "", url);
    var target = focusId && document.getElementById(focusId);
    var msg = document.querySelector(".dc-rv-messages");
    if (target) target.scrollIntoView({block: "nearest"});
    if (msg && msg.firstElementChild) msg.firstElementChild.setAttribute("tabindex", "-1");
    return true;
  }

  /* Withholding by selecting: text selected in a portion on the review
   * page fills that portion's withhold form (the text and which
   * occurrence of it), which works without scripts too. */
  function fillFromSelection() {
    var sel = window.getSelection && window.getSelection();
    if (!sel || sel.rangeCount !== 1 || sel.isCollapsed) return;
    var range = sel.getRangeAt(0);
    var node = range.startContainer;
    var box = node.nodeType === 1 ? node : node.parentElement;
    box = box && box.closest ? box.closest(".dc-rv-text") : null;
    if (!box || !box.contains(range.endContainer)) return;
    var text = range.toString();
    if (!text) return;
    var pre = document.createRange();
    pre.setStart(box, 0);
    pre.setEnd(range.startContainer, range.startOffset);
    var before = pre.toString().length, full = box.textContent, n = 0;
    for (var i = full.indexOf(text); i !== -1 && i <= before; i = full.indexOf(text, i + 1)) n++;
    var form = box.parentElement.querySelector("form[action$='/withhold']");
    if (!form) return;
    form.elements.text.value = text;
    form.elements.occurrence.value = n > 1 ? String(n) : "";
  }
  document.addEventListener("mouseup", fillFromSelection);
  document.addEventListener("keyup", function (ev) { if (ev.shiftKey) fillFromSelection(); });

  document.addEventListener("submit", function (ev) {
    var form = ev.target;
    if (!form.classList || !form.classList.contains("dc-rv-form")) return;
    if (!window.fetch || !window.URLSearchParams || !window.FormData || !window.DOMParser) return;
    if (form.dataset.fallback === "1") return;
    ev.preventDefault();
    var data = new FormData(form);
    var token = data.get("csrf") || "";
    var portion = data.get("portion");
    form.classList.add("dc-busy");
    var fallback = function () {
      form.dataset.fallback = "1";
      form.classList.remove("dc-busy");
      form.submit();
    };
    fetch(form.action, {
      method: "POST",
      credentials: "same-origin",
      headers: {"X-CSRF-Token": token,
                "Content-Type": "application/x-www-form-urlencoded"},
      body: new URLSearchParams(data).toString()
    }).then(function (res) {
      var type = res.headers.get("Content-Type") || "";
      if (type.indexOf("text/html") !== 0) throw new Error("not a page");
      return res.text().then(function (text) {
        /* a redirect lands on /review/ID?done=...; an error answers with
         * the review (or error) page itself */
        var url = res.redirected ? res.url : null;
        if (!replaceMain(text, url, portion ? "rv-" + portion : null)) throw new Error("no page");
      });
    }).catch(fallback);
  });
})();
