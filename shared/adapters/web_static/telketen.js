// Telketen: the only JavaScript of the typist's screen. Keyboard-first entry and the sums shown while typing.
// Enter moves to the next field (as on the paper, in order); Shift+Enter goes back. The totals are display
// only: validation with its official codes runs on the server when the entry is saved.
(function () {
  "use strict";
  function fields(form) {
    return Array.prototype.slice.call(form.querySelectorAll("input[data-path]"));
  }
  function parse(value) {
    var v = String(value || "").replace(/[\s.]/g, "");
    return /^\d+$/.test(v) ? parseInt(v, 10) : 0;
  }
  function recompute(form) {
    var sums = {};
    fields(form).forEach(function (input) {
      (input.getAttribute("data-sum") || "").split(" ").forEach(function (key) {
        if (key) { sums[key] = (sums[key] || 0) + parse(input.value); }
      });
    });
    form.querySelectorAll("output[data-total]").forEach(function (out) {
      var key = out.getAttribute("data-total");
      var value = sums[key] || 0;
      out.value = value.toLocaleString("nl-NL");
      out.textContent = out.value;
      var against = out.getAttribute("data-against");
      if (against) {
        var typed = form.querySelector('input[data-path="' + against + '"]');
        var differs = typed && parse(typed.value) !== value;
        out.classList.toggle("differs", !!differs);
      }
    });
  }
  function setup(form) {
    var dirty = false;
    form.addEventListener("keydown", function (ev) {
      var t = ev.target;
      if (ev.key !== "Enter" || !t.matches || !t.matches("input[data-path]")) { return; }
      ev.preventDefault();
      var list = fields(form);
      var i = list.indexOf(t) + (ev.shiftKey ? -1 : 1);
      if (i >= 0 && i < list.length) { list[i].focus(); if (list[i].select) { list[i].select(); } }
      else if (i >= list.length) {
        var next = form.querySelector("[data-after-last]");
        if (next) { next.focus(); }
      }
    });
    form.addEventListener("input", function () { dirty = true; recompute(form); });
    form.addEventListener("submit", function () { dirty = false; });
    window.addEventListener("beforeunload", function (ev) {
      if (dirty) { ev.preventDefault(); ev.returnValue = ""; }
    });
    recompute(form);
    var flagged = form.hasAttribute("data-focus-findings") &&
      form.querySelector(".has-error input[data-path], .has-warning input[data-path]");
    var first = flagged || fields(form)[0];
    if (first) { first.focus(); }
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-entry]").forEach(setup);
  });
})();
