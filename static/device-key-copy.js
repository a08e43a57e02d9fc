// The "Copy" button beside a device key shown once: copies the key and says so.
(function () {
  var button = document.getElementById("copy-device-key");
  if (!button) return;
  button.addEventListener("click", function () {
    var field = document.getElementById(button.dataset.target);
    var status = document.getElementById("copy-status");
    field.select();
    var done = function () { status.textContent = "Copied."; };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(field.value).then(done, function () { status.textContent = "Select the key and copy it."; });
    } else {
      try { document.execCommand("copy"); done(); } catch (e) { status.textContent = "Select the key and copy it."; }
    }
  });
})();
