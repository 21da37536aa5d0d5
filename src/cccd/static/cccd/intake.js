// The intake screen: the desk's webcam for the photo, a signature pad on a canvas, and a finish
// button that cannot be sent twice. Everything also works without this script (file uploads).
(function () {
  "use strict";

  function webcam(form) {
    const video = form.querySelector("video");
    const button = form.querySelector("[data-webcam]");
    const hidden = form.querySelector('input[name="file_data"]');
    if (!button || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      if (button) button.hidden = true;
      return;
    }
    let stream = null;
    button.addEventListener("click", async function () {
      if (stream) { // second press: take the picture
        const canvas = document.createElement("canvas");
        canvas.width = video.videoWidth;
        canvas.height = video.videoHeight;
        canvas.getContext("2d").drawImage(video, 0, 0);
        hidden.value = canvas.toDataURL("image/jpeg", 0.92);
        stream.getTracks().forEach((t) => t.stop());
        stream = null;
        video.hidden = true;
        form.requestSubmit();
        return;
      }
      try {
        stream = await navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 480 } });
        video.srcObject = stream;
        video.hidden = false;
        button.textContent = button.dataset.take || "📷";
      } catch (err) {
        button.disabled = true;
      }
    });
  }

  function pad(form) {
    const canvas = form.querySelector("canvas[data-pad]");
    const hidden = form.querySelector('input[name="file_data"]');
    if (!canvas) return;
    const ctx = canvas.getContext("2d");
    ctx.lineWidth = 2.5;
    ctx.lineCap = "round";
    ctx.strokeStyle = "#000";
    let drawing = false;
    let inked = false;
    function point(e) {
      const r = canvas.getBoundingClientRect();
      return [(e.clientX - r.left) * canvas.width / r.width, (e.clientY - r.top) * canvas.height / r.height];
    }
    canvas.addEventListener("pointerdown", function (e) {
      drawing = true;
      canvas.setPointerCapture(e.pointerId);
      ctx.beginPath();
      ctx.moveTo(...point(e));
    });
    canvas.addEventListener("pointermove", function (e) {
      if (!drawing) return;
      ctx.lineTo(...point(e));
      ctx.stroke();
      inked = true;
      canvas.dataset.inked = "1";
    });
    canvas.addEventListener("pointerup", function () { drawing = false; });
    form.querySelector("[data-clear]").addEventListener("click", function () {
      ctx.clearRect(0, 0, canvas.width, canvas.height);
      inked = false;
      delete canvas.dataset.inked;
      hidden.value = "";
    });
    // The drawing as a PNG on white in the form's hidden field (also called by station.js, which
    // keeps the signature before finishing).
    form.fillSignature = function () {
      if (inked) {
        const white = document.createElement("canvas");
        white.width = canvas.width;
        white.height = canvas.height;
        const w = white.getContext("2d");
        w.fillStyle = "#fff";
        w.fillRect(0, 0, white.width, white.height);
        w.drawImage(canvas, 0, 0);
        hidden.value = white.toDataURL("image/png");
      }
    };
    form.addEventListener("submit", form.fillSignature);
  }

  // The reason field is asked for only when the chosen kind needs one (re-issue, exchange for
  // damage or changed data); the service checks it whatever the page does.
  function kindReason(select) {
    const label = select.form.querySelector("[data-kind-reason]");
    if (!label) return;
    const input = label.querySelector("input");
    function sync() {
      const option = select.options[select.selectedIndex];
      const needed = Boolean(option && option.hasAttribute("data-needs-reason"));
      label.hidden = !needed;
      input.required = needed;
    }
    select.addEventListener("change", sync);
    sync();
  }

  document.querySelectorAll('select[name="kind"]').forEach(kindReason);
  document.querySelectorAll('form[data-capture="photo"]').forEach(webcam);
  document.querySelectorAll('form[data-capture="signature"]').forEach(pad);
  document.querySelectorAll("form[data-once]").forEach(function (form) {
    form.addEventListener("submit", function (e) {
      if (form.dataset.sent) { e.preventDefault(); return; }
      form.dataset.sent = "1";
    });
  });
})();
