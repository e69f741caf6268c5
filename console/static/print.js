// The print button (no inline script: the page's CSP allows only our own files).
(function () {
  "use strict";
  var button = document.getElementById("print");
  if (button) { button.addEventListener("click", function () { window.print(); }); }
}());
