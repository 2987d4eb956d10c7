// Telketen scanning desk: the machine's webcam through getUserMedia. Frames are posted to the server, which
// decodes the QR symbols, reassembles the signed summary and checks it; nothing is decoded in the browser.
(function () {
  "use strict";
  var box = document.querySelector("[data-camera]");
  if (!box) { return; }
  var video = box.querySelector("[data-video]");
  var start = box.querySelector("[data-camera-start]");
  var stop = box.querySelector("[data-camera-stop]");
  var status = box.querySelector("[data-camera-status]");
  var csrf = box.getAttribute("data-csrf");
  var stream = null, timer = null, busy = false;
  var canvas = document.createElement("canvas");
  function halt() {
    if (timer) { clearInterval(timer); timer = null; }
    if (stream) { stream.getTracks().forEach(function (t) { t.stop(); }); stream = null; }
    start.disabled = false; stop.disabled = true;
  }
  function send() {
    if (busy || !video.videoWidth) { return; }
    busy = true;
    canvas.width = video.videoWidth; canvas.height = video.videoHeight;
    canvas.getContext("2d").drawImage(video, 0, 0);
    canvas.toBlob(function (blob) {
      var data = new FormData();
      data.append("csrf", csrf);
      data.append("frame", blob, "frame.png");
      fetch("/balie/camera", { method: "POST", body: data, credentials: "same-origin" })
        .then(function (r) { return r.json(); })
        .then(function (res) {
          status.textContent = res.progress;
          if (res.done) { halt(); window.location.assign("/balie"); }
        })
        .catch(function () { status.textContent = "Verbinding met de balie mislukt."; })
        .then(function () { busy = false; });
    }, "image/png");
  }
  // The browser's reasons (DOMException names) in Dutch.
  var CAMERA_ERRORS = {
    NotAllowedError: "geen toestemming gegeven.",
    NotFoundError: "er is geen camera aangesloten.",
    NotReadableError: "de camera is in gebruik door een ander programma.",
    OverconstrainedError: "de camera kan dit beeldformaat niet leveren."
  };
  start.addEventListener("click", function () {
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      status.textContent = "Deze browser geeft geen toegang tot een camera.";
      return;
    }
    navigator.mediaDevices.getUserMedia({ video: { width: 1280, height: 720 } }).then(function (s) {
      stream = s; video.srcObject = s; video.play();
      start.disabled = true; stop.disabled = false;
      status.textContent = "Camera aan: houd één QR-code dicht bij de camera.";
      timer = setInterval(send, 700);
    }).catch(function (e) { status.textContent = "Geen camera: " + (CAMERA_ERRORS[e.name] || "de browser geeft er geen toegang toe."); });
  });
  stop.addEventListener("click", function () { halt(); status.textContent = "Camera staat uit."; });
})();
