// Telketen: pages that keep themselves up to date (the coordinator's progress, a desk's overview) without
// reloading. A reload would throw keyboard focus and the screen reader back to the top every few seconds
// (WCAG 2.2.1); instead the page fetches itself, and only the parts marked data-live-key that changed are
// swapped in. Focus inside a swapped part goes to the same link or button in the new part. A tick box pauses
// the updates (WCAG 2.2.2); the status line says when something changed.
(function () {
  "use strict";
  var PERIOD = 10000;
  function keyed(root) {
    var out = {};
    root.querySelectorAll("[data-live-key]").forEach(function (el) { out[el.getAttribute("data-live-key")] = el; });
    return out;
  }
  function keys(root) {
    return Array.prototype.map.call(root.querySelectorAll("[data-live-key]"), function (el) {
      return el.getAttribute("data-live-key");
    }).join("\n");
  }
  function focusKey(el) {
    return el.getAttribute("href") || el.id || el.getAttribute("aria-label") || el.textContent;
  }
  function refocus(part, key) {
    var same = Array.prototype.filter.call(part.querySelectorAll("a, button, input, [tabindex]"), function (el) {
      return focusKey(el) === key;
    })[0];
    if (same) { same.focus({ preventScroll: true }); }
  }
  function swap(old, fresh) {
    var active = document.activeElement;
    var key = old.contains(active) && active !== old ? focusKey(active) : null;
    old.replaceWith(fresh);
    if (key !== null) { refocus(fresh, key); }
  }
  function merge(region, fresh) {
    var changed = 0;
    if (keys(region) !== keys(fresh)) {  // rows came or went: the whole region, focus kept where possible
      var active = document.activeElement;
      var key = region.contains(active) ? focusKey(active) : null;
      region.innerHTML = fresh.innerHTML;
      if (key !== null) { refocus(region, key); }
      return 1;
    }
    var now = keyed(region);
    var next = keyed(fresh);
    Object.keys(next).forEach(function (k) {
      if (now[k].outerHTML !== next[k].outerHTML) {
        swap(now[k], document.importNode(next[k], true));
        changed += 1;
      }
    });
    return changed;
  }
  function setup(region) {
    var toggle = document.querySelector("[data-live-toggle]");
    var status = document.querySelector("[data-live-status]");
    var checked = document.querySelector("[data-live-checked]");
    var timer = null;
    function say(text) { if (status) { status.textContent = text; } }
    function time() { return new Date().toLocaleTimeString("nl-NL"); }
    function stop() { if (timer !== null) { clearInterval(timer); timer = null; } }
    function poll() {
      if (document.hidden) { return; }
      fetch(window.location.href, { credentials: "same-origin", cache: "no-store" })
        .then(function (r) { if (!r.ok || r.redirected) { throw new Error(String(r.status)); } return r.text(); })
        .then(function (html) {
          var doc = new DOMParser().parseFromString(html, "text/html");
          var fresh = doc.querySelector("[data-live]");
          if (!fresh) { throw new Error("no live region"); }
          var changed = merge(region, fresh);
          if (checked) { checked.textContent = "Laatst gecontroleerd om " + time() + "."; }
          if (changed) { say("Bijgewerkt om " + time() + ": " + changed + (changed === 1 ? " onderdeel" : " onderdelen") + " gewijzigd."); }
        })
        .catch(function () {
          stop();
          if (toggle) { toggle.checked = false; }
          say("Bijwerken lukt niet (bent u nog ingelogd?). Ververs de pagina.");
        });
    }
    function start() { stop(); timer = setInterval(poll, PERIOD); }
    if (toggle) {
      toggle.addEventListener("change", function () {
        if (toggle.checked) { start(); poll(); say("Automatisch bijwerken staat aan."); }
        else { stop(); say("Automatisch bijwerken staat uit."); }
      });
    }
    if (!toggle || toggle.checked) { start(); }
  }
  document.addEventListener("DOMContentLoaded", function () {
    var region = document.querySelector("[data-live]");
    if (region) { setup(region); }
  });
})();
