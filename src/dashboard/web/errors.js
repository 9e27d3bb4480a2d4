// Loaded first: every uncaught error, rejected promise and console.error of
// the page's scripts is listed in #errors (which the tests read) as well as
// the console.
(function () {
  var pending = [];
  function show(text) {
    var box = document.getElementById("errors");
    if (!box) { pending.push(text); return; }
    var line = document.createElement("div");
    line.className = "error";
    line.textContent = text;
    box.appendChild(line);
  }
  window.spotrunError = show;
  var consoleError = console.error;
  console.error = function () {
    show("console.error: " + Array.prototype.join.call(arguments, " "));
    return consoleError.apply(console, arguments);
  };
  window.addEventListener("error", function (e) {
    show("error: " + e.message + (e.filename ? " (" + e.filename + ":" + e.lineno + ")" : ""));
  });
  window.addEventListener("unhandledrejection", function (e) {
    show("unhandled rejection: " + (e.reason && e.reason.message ? e.reason.message : e.reason));
  });
  document.addEventListener("DOMContentLoaded", function () {
    pending.splice(0).forEach(show);
  });
})();
