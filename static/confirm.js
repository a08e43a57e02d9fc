// Buttons whose action cannot be undone carry data-confirm: the browser asks first. Without JavaScript the
// button still works (the page beside it says what it does).
document.addEventListener("submit", function (event) {
  var button = event.submitter;
  if (button && button.dataset.confirm && !window.confirm(button.dataset.confirm)) event.preventDefault();
});
