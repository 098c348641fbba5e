(function () {
  "use strict";
  var dataNode = document.getElementById("report-data");
  var data = JSON.parse(dataNode.textContent);
  var body = document.body;
  var statusNode = document.getElementById("status");
  var defaultStatus = statusNode ? statusNode.innerHTML : "";

  function all(selector, root) {
    return Array.prototype.slice.call((root || document).querySelectorAll(selector));
  }

  // --- filters -------------------------------------------------------------------------------------
  function enabled(kind) {
    var set = {};
    all('input[data-filter="' + kind + '"]').forEach(function (box) { set[box.value] = box.checked; });
    return set;
  }
  function keyVisible(keys, sev, cat) {
    return keys.split(" ").some(function (key) {
      if (!key) { return false; }
      var bar = key.indexOf("|");
      var s = key.slice(0, bar), c = key.slice(bar + 1);
      return sev[s] !== false && cat[c] !== false;
    });
  }
  function applyFilters() {
    var sev = enabled("sev"), cat = enabled("cat");
    var onlyFlagged = document.getElementById("only-flagged");
    all("mark.flag, mark.src-flag, .badge.flag").forEach(function (el) {
      var on = keyVisible(el.getAttribute("data-keys") || "", sev, cat);
      el.classList.toggle("off", !on);
      if (el.classList.contains("flag")) { el.setAttribute("tabindex", on ? "0" : "-1"); }
    });
    var shown = 0;
    all(".fl").forEach(function (li) {
      var on = keyVisible(li.getAttribute("data-keys") || "", sev, cat);
      li.classList.toggle("hidden", !on);
      if (on) { shown += 1; }
    });
    all("tr.row").forEach(function (row) {
      var keys = row.getAttribute("data-keys") || "";
      row.classList.toggle("hidden", !!(onlyFlagged && onlyFlagged.checked) && !keyVisible(keys, sev, cat));
    });
    var count = document.getElementById("shown-count");
    if (count) { count.textContent = "(" + shown + " shown of " + data.flags.length + ")"; }
  }
  all("input[data-filter], #only-flagged").forEach(function (box) { box.addEventListener("change", applyFilters); });

  // --- token shading -------------------------------------------------------------------------------
  var shade = document.getElementById("shade");
  var shadeKind = document.getElementById("shade-kind");
  function applyShade() {
    var on = !!(shade && shade.checked);
    body.classList.toggle("shade", on);
    body.classList.toggle("shade-ss", on && !!shadeKind && shadeKind.value === "ss");
    if (shadeKind) { shadeKind.disabled = !on; }
    if (!on && statusNode) { statusNode.innerHTML = defaultStatus; }
  }
  if (shade) { shade.addEventListener("change", applyShade); }
  if (shadeKind) { shadeKind.addEventListener("change", applyShade); }

  function describeToken(el) {
    var text = "\u201c" + el.textContent + "\u201d  log p = " + el.getAttribute("data-lp") + " (target only)";
    if (el.hasAttribute("data-lps")) { text += ", " + el.getAttribute("data-lps") + " (with source)"; }
    return text;
  }

  // --- hover: aligned words and a flag's source span -----------------------------------------------
  var lit = [];
  function clearLit() {
    lit.forEach(function (el) { el.classList.remove("lit"); });
    lit = [];
  }
  function light(el) {
    var row = el.closest("tr.row");
    if (!row) { return; }
    if (el.hasAttribute("data-w")) {
      el.getAttribute("data-w").split(" ").forEach(function (id) {
        all('[data-w~="' + id + '"]', row).forEach(function (other) { other.classList.add("lit"); lit.push(other); });
      });
    }
  }
  document.addEventListener("mouseover", function (event) {
    var target = event.target;
    if (!(target instanceof Element)) { return; }
    var piece = target.closest("[data-w], .t");
    clearLit();
    if (piece) {
      light(piece);
      if (body.classList.contains("shade") && piece.hasAttribute("data-lp") && statusNode) {
        statusNode.textContent = describeToken(piece);
      }
    }
    var mark = target.closest("mark.flag");
    if (mark) { lightSource(mark); }
  });
  function lightSource(mark) {
    var row = mark.closest("tr.row");
    if (!row) { return; }
    (mark.getAttribute("data-flags") || "").split(" ").forEach(function (n) {
      all('mark.src-flag[data-flags~="' + n + '"]', row).forEach(function (el) { el.classList.add("lit"); lit.push(el); });
    });
  }
  document.addEventListener("focusin", function (event) {
    var target = event.target;
    if (target instanceof Element && target.matches("mark.flag, .badge.flag")) {
      clearLit();
      lightSource(target);
    }
  });

  // --- keyboard ------------------------------------------------------------------------------------
  function focusables() {
    return all("mark.flag:not(.off), .badge.flag:not(.off)").filter(function (el) {
      var row = el.closest("tr.row");
      return !(row && row.classList.contains("hidden"));
    });
  }
  function step(direction) {
    var list = focusables();
    if (!list.length) { return; }
    var index = list.indexOf(document.activeElement);
    var next = index < 0 ? (direction > 0 ? 0 : list.length - 1) : (index + direction + list.length) % list.length;
    showTab("segments");
    list[next].focus();
    list[next].scrollIntoView({ block: "center" });
  }
  document.addEventListener("keydown", function (event) {
    var tag = (event.target && event.target.tagName) || "";
    if (event.ctrlKey || event.metaKey || event.altKey || tag === "INPUT" || tag === "SELECT" || tag === "TEXTAREA") { return; }
    if (event.key === "j") { step(1); event.preventDefault(); }
    else if (event.key === "k") { step(-1); event.preventDefault(); }
    else if (event.key === "t" && shade) { shade.checked = !shade.checked; applyShade(); }
    else if (event.key === "Escape" && document.activeElement instanceof HTMLElement) { document.activeElement.blur(); clearLit(); }
  });

  // --- tabs (segments / diff) ----------------------------------------------------------------------
  var tabs = all('[role="tab"]');
  function showTab(name) {
    if (!tabs.length) { return; }
    tabs.forEach(function (tab) {
      var selected = tab.getAttribute("aria-controls") === name;
      tab.setAttribute("aria-selected", selected ? "true" : "false");
      tab.setAttribute("tabindex", selected ? "0" : "-1");
      var panel = document.getElementById(tab.getAttribute("aria-controls"));
      if (panel) { panel.hidden = !selected; }
    });
  }
  tabs.forEach(function (tab, i) {
    tab.addEventListener("click", function () { showTab(tab.getAttribute("aria-controls")); });
    tab.addEventListener("keydown", function (event) {
      if (event.key === "ArrowRight" || event.key === "ArrowLeft") {
        var next = tabs[(i + (event.key === "ArrowRight" ? 1 : tabs.length - 1)) % tabs.length];
        showTab(next.getAttribute("aria-controls"));
        next.focus();
      }
    });
  });
  if (tabs.length) { showTab("segments"); }

  // --- flag list jumps -----------------------------------------------------------------------------
  all("a[data-jump]").forEach(function (link) {
    link.addEventListener("click", function (event) {
      var el = document.getElementById(link.getAttribute("data-jump"));
      if (!el) { return; }
      event.preventDefault();
      showTab("segments");
      var row = el.closest("tr.row");
      if (row) { row.classList.remove("hidden"); }
      el.focus();
      el.scrollIntoView({ block: "center" });
    });
  });

  // --- download the embedded report ----------------------------------------------------------------
  var download = document.getElementById("download");
  if (download) {
    download.addEventListener("click", function () {
      var blob = new Blob([JSON.stringify(data, null, 2)], { type: "application/json" });
      var link = document.createElement("a");
      link.href = URL.createObjectURL(blob);
      link.download = "report.json";
      document.body.appendChild(link);
      link.click();
      setTimeout(function () { URL.revokeObjectURL(link.href); link.remove(); }, 0);
    });
  }

  applyFilters();
  applyShade();
  body.setAttribute("data-ready", "1");
})();
