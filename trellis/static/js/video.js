// Videos of practice: a comment's moment seeks the player there; "Use the player's time" fills
// the comment's moment from where the player is; the player's length fills the comment form's
// hidden duration field. Loaded as a file (the Content-Security-Policy
// allows no inline script). Without JavaScript a moment's link reloads the page with the player
// opened at that time through a media fragment (#t=seconds).
(function () {
  function label(seconds) {
    seconds = Math.floor(seconds);
    var h = Math.floor(seconds / 3600);
    var m = Math.floor((seconds % 3600) / 60);
    var s = seconds % 60;
    var ss = (s < 10 ? "0" : "") + s;
    if (h) {
      return h + ":" + (m < 10 ? "0" : "") + m + ":" + ss;
    }
    return m + ":" + ss;
  }
  document.querySelectorAll("a[data-seek]").forEach(function (link) {
    link.addEventListener("click", function (event) {
      var player = document.getElementById("player");
      if (!player) {
        return;
      }
      event.preventDefault();
      player.currentTime = Number(link.dataset.seek) || 0;
      player.focus();
    });
  });
  // The video's length, once the player knows it, goes with a comment (the server records it
  // when the file's header did not say, and refuses a moment past the end).
  document.querySelectorAll("form[data-duration-from]").forEach(function (form) {
    var player = document.getElementById(form.dataset.durationFrom);
    var field = form.querySelector("input[name='duration']");
    if (!player || !field) {
      return;
    }
    function record() {
      if (isFinite(player.duration) && player.duration > 0) {
        field.value = String(player.duration);
      }
    }
    player.addEventListener("loadedmetadata", record);
    record();
  });
  document.querySelectorAll("button[data-moment-from]").forEach(function (button) {
    var player = document.getElementById(button.dataset.momentFrom);
    var field = document.getElementById(button.dataset.momentTo);
    if (!player || !field) {
      return;
    }
    button.hidden = false;
    button.addEventListener("click", function () {
      field.value = label(player.currentTime || 0);
      field.focus();
    });
  });
})();
