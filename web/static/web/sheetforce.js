/* sheetforce: small progressive enhancements. Every page works without this file. */
(function () {
  "use strict";

  /* Live progress: elements with data-progress-url poll a JSON endpoint every 2 s. */
  function pollProgress(el) {
    var url = el.getAttribute("data-progress-url");
    function tick() {
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (data) {
          if (!data) { return; }
          el.querySelectorAll("[data-field]").forEach(function (f) {
            var key = f.getAttribute("data-field");
            if (key === "counts") { f.textContent = data.summary ? "(" + data.summary + ")" : ""; }
            else if (key in data) { f.textContent = data[key]; }
          });
          if (data.finished) {
            if (el.hasAttribute("data-reload-when-finished") || el.closest("table")) {
              window.location.reload();
            }
            return;
          }
          window.setTimeout(tick, 2000);
        })
        .catch(function () { window.setTimeout(tick, 4000); });
    }
    window.setTimeout(tick, 2000);
  }

  /* Filters: the value input shows only when the chosen condition needs a value. */
  function bindValueToggle(select) {
    var row = select.closest("[data-filter-row]");
    var valueless = (select.getAttribute("data-valueless") || "").split(",");
    var wrapper = row && row.querySelector("[data-value-wrapper]");
    if (!wrapper) { return; }
    function update() {
      var hide = valueless.indexOf(select.value) !== -1;
      wrapper.hidden = hide;
      var input = wrapper.querySelector("input");
      if (input) { input.disabled = hide; }
    }
    select.addEventListener("change", update);
    update();
  }

  /* Fields: the "lookup by" choices follow the chosen field; the direction locks when
     the field can only flow to Smartsheet (a raw record id unless looked up; the reason
     is shown). */
  function bindFieldLock(select, meta) {
    var row = select.closest("[data-mapping-row]");
    if (!row) { return; }
    var direction = row.querySelector("[data-direction]");
    var reason = row.querySelector("[data-lock-reason]");
    var column = row.querySelector("[data-column]");
    var newTitle = row.querySelector("[data-new-title]");
    var lookup = row.querySelector("[data-lookup]");
    var lookupWrapper = row.querySelector("[data-lookup-wrapper]");
    var shownFor = select.value;
    function fillLookups(info) {
      if (!lookup) { return; }
      var keep = lookup.value;
      var first = lookup.options[0];
      while (lookup.options.length > 1) { lookup.remove(1); }
      (info.lookups || []).forEach(function (pair) {
        var option = document.createElement("option");
        option.value = pair[0];
        option.textContent = (lookup.getAttribute("data-label") || "looked up by") + " " + pair[1];
        lookup.appendChild(option);
      });
      lookup.value = keep;
      if (lookup.value !== keep) { lookup.value = first.value; }
      if (lookupWrapper) { lookupWrapper.hidden = !(info.lookups && info.lookups.length); }
    }
    function update() {
      var info = meta[select.value] || {};
      if (select.value !== shownFor) { fillLookups(info); shownFor = select.value; }
      var unlocked = info.lookup_unlocks && lookup && lookup.value;
      var locked = info.locked && !unlocked;
      if (direction) {
        if (locked) {
          direction.value = "to_smartsheet";
          direction.setAttribute("aria-disabled", "true");
          direction.querySelectorAll("option").forEach(function (o) { o.disabled = o.value !== "to_smartsheet"; });
        } else {
          direction.removeAttribute("aria-disabled");
          direction.querySelectorAll("option").forEach(function (o) { o.disabled = o.hasAttribute("data-not-allowed"); });
        }
      }
      if (reason) { reason.textContent = locked ? info.reason : ""; }
    }
    function updateNew() {
      if (column && newTitle) { newTitle.closest("[data-new-title-wrapper]").hidden = column.value !== "__new__"; }
    }
    select.addEventListener("change", update);
    if (lookup) { lookup.addEventListener("change", update); }
    if (column) { column.addEventListener("change", updateNew); updateNew(); }
    update();
  }

  /* Filters: the conditions offered follow the chosen field's or column's type. */
  function bindOperators(row, meta) {
    var subject = row.querySelector("[data-filter-subject]");
    var operator = row.querySelector("[data-operator]");
    if (!subject || !operator) { return; }
    var side = row.getAttribute("data-filter-side");
    subject.addEventListener("change", function () {
      var allowed = (meta[side] || {})[subject.value] || Object.keys(meta.labels);
      var keep = operator.value;
      while (operator.options.length) { operator.remove(0); }
      Object.keys(meta.labels).forEach(function (value) {
        if (allowed.indexOf(value) === -1) { return; }
        var option = document.createElement("option");
        option.value = value;
        option.textContent = meta.labels[value];
        operator.appendChild(option);
      });
      if (allowed.indexOf(keep) !== -1) { operator.value = keep; }
      operator.dispatchEvent(new Event("change"));
    });
  }

  /* Row groups: a level groups by a field or by a typed value. */
  function bindGroupKind(row) {
    var radios = row.querySelectorAll("input[type=radio][data-group-kind]");
    function update() {
      var kind = "field";
      radios.forEach(function (r) { if (r.checked) { kind = r.value; } });
      row.querySelectorAll("[data-kind-part]").forEach(function (p) {
        p.hidden = p.getAttribute("data-kind-part") !== kind;
      });
    }
    radios.forEach(function (r) { r.addEventListener("change", update); });
    update();
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-progress-url]").forEach(pollProgress);
    document.querySelectorAll("select[data-valueless]").forEach(bindValueToggle);
    var metaEl = document.getElementById("field-meta");
    if (metaEl) {
      var meta = JSON.parse(metaEl.textContent);
      document.querySelectorAll("select[data-sf-field]").forEach(function (s) { bindFieldLock(s, meta); });
    }
    var operatorsEl = document.getElementById("operator-meta");
    if (operatorsEl) {
      var operators = JSON.parse(operatorsEl.textContent);
      document.querySelectorAll("[data-filter-row]").forEach(function (r) { bindOperators(r, operators); });
    }
    document.querySelectorAll("[data-group-row]").forEach(bindGroupKind);
    /* A form that must be sent once (saving): a second click while the first is on its
       way does nothing (the server also recognises a draft already saved). */
    document.querySelectorAll("form[data-submit-once]").forEach(function (form) {
      var sent = false;
      form.addEventListener("submit", function (event) {
        if (sent) { event.preventDefault(); return; }
        sent = true;
      });
    });
    /* The install select reloads the sheets and objects of the chosen install. */
    document.querySelectorAll("select[data-autosubmit]").forEach(function (s) {
      s.addEventListener("change", function () {
        var button = s.form.querySelector("button[name=action][value=" + s.getAttribute("data-autosubmit") + "]");
        if (button) { button.click(); }
      });
    });
  });
})();
