// The desk station: the photo, the slaps and the irises straight from the devices on this desk,
// through their local device service (MOSIP SBI: docs/devices.md), one key each.
//
// The page finds the service on 127.0.0.1:4501–4600 (MOSIPDISC), asks a device for a
// Registration Capture (RCAPTURE) and posts the answer, untouched, to the server, which checks it
// and keeps it or says why not. Nothing is kept in the browser. Without a service the buttons stay
// off and the file forms below work as before.
(function () {
  "use strict";

  const HOST = "http://127.0.0.1:";
  const FIRST_PORT = 4501;
  const LAST_PORT = 4600;
  const PORT_KEY = "cccd.sbi.port";
  const CAPTURE_TIMEOUT_MS = 10000;
  const FINGERS = { 1: "Right Thumb", 2: "Right IndexFinger", 3: "Right MiddleFinger",
    4: "Right RingFinger", 5: "Right LittleFinger", 6: "Left Thumb", 7: "Left IndexFinger",
    8: "Left MiddleFinger", 9: "Left RingFinger", 10: "Left LittleFinger" };
  const IRISES = { 1: "Right", 2: "Left" };

  const station = document.querySelector("[data-station]");
  const finishForm = document.querySelector("form[data-finish]");

  function claims(token) {
    // The payload of a JWT, or an unsigned base64url JSON (discovery's digitalId).
    if (typeof token !== "string" || !token) return {};
    const parts = token.split(".");
    const part = parts.length === 3 ? parts[1] : parts[0];
    try {
      const b64 = part.replace(/-/g, "+").replace(/_/g, "/");
      const bytes = Uint8Array.from(atob(b64 + "===".slice((b64.length + 3) % 4)), (c) => c.charCodeAt(0));
      return JSON.parse(new TextDecoder().decode(bytes));
    } catch (err) {
      return {};
    }
  }

  async function sbi(port, verb, path, body, timeoutMs) {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    try {
      const response = await fetch(HOST + port + path, {
        method: verb,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: controller.signal,
        cache: "no-store",
      });
      return await response.text();
    } finally {
      clearTimeout(timer);
    }
  }

  async function probe(port) {
    // The devices a service on `port` announces, or null when nothing (or no SBI) answers.
    try {
      const list = JSON.parse(await sbi(port, "MOSIPDISC", "/device", { type: "Biometric Device" }, 1500));
      if (!Array.isArray(list)) return null;
      const infos = JSON.parse(await sbi(port, "MOSIPDINFO", "/info", undefined, 1500));
      const env = {};
      (Array.isArray(infos) ? infos : []).forEach(function (entry) {
        const info = typeof entry.deviceInfo === "object" ? entry.deviceInfo : claims(entry.deviceInfo);
        if (info && info.deviceId) env[String(info.deviceId)] = info.env;
      });
      return list
        .filter((d) => d && d.deviceId && String((d.error || {}).errorCode || "0") === "0")
        .map((d) => ({
          port: port,
          deviceId: String(d.deviceId),
          type: claims(d.digitalId).type,
          status: d.deviceStatus,
          env: env[String(d.deviceId)] || "Production",
        }));
    } catch (err) {
      return null;
    }
  }

  async function discover() {
    const cached = Number(sessionStorage.getItem(PORT_KEY));
    if (cached >= FIRST_PORT && cached <= LAST_PORT) {
      const found = await probe(cached);
      if (found && found.length) return found;
    }
    const ports = [];
    for (let port = FIRST_PORT; port <= LAST_PORT; port++) ports.push(port);
    const answers = await Promise.all(ports.map(probe));
    const devices = [].concat(...answers.filter(Boolean));
    if (devices.length) sessionStorage.setItem(PORT_KEY, String(devices[0].port));
    else sessionStorage.removeItem(PORT_KEY);
    return devices;
  }

  function byType(devices) {
    const found = {};
    devices.forEach(function (d) { if (d.type && !found[d.type]) found[d.type] = d; });
    return found;
  }

  function transactionId() {
    const random = Math.random().toString(36).slice(2, 10);
    return ("cccd-" + station.dataset.ticket + "-" + Date.now().toString(36) + "-" + random).slice(0, 50);
  }

  function capitalised(sentence) {
    return sentence.charAt(0).toUpperCase() + sentence.slice(1);
  }

  function csrfToken() {
    const input = document.querySelector('input[name="csrfmiddlewaretoken"]');
    return input ? input.value : "";
  }

  function setUp() {
    const text = station.dataset;
    const status = station.querySelector("[data-devices]");
    const alertBox = station.querySelector("[data-station-error]");
    const steps = Array.from(station.querySelectorAll("[data-step]"));
    const deviceNames = { Face: text.textCamera, Finger: text.textScanner, Iris: text.textIrisCamera };
    let devices = {};
    let busy = false;

    function say(message, isError) {
      alertBox.textContent = message;
      alertBox.hidden = !isError;
      if (!isError) status.querySelector("small").textContent = message;
    }

    function showDevices() {
      if (!Object.keys(devices).length) {
        status.innerHTML = "";
        const small = document.createElement("small");
        small.textContent = text.textNone;
        status.appendChild(small);
        return;
      }
      const parts = ["Face", "Finger", "Iris"].map(function (type) {
        return deviceNames[type] + (devices[type] ? " ✔" : " — " + text.textMissing);
      });
      status.innerHTML = "";
      const small = document.createElement("small");
      small.textContent = text.textFound + ": " + parts.join(" · ");
      status.appendChild(small);
    }

    function enable() {
      steps.forEach(function (button) {
        const webcam = button.dataset.bioType === "Face" && document.querySelector("[data-webcam]:not([hidden])");
        button.disabled = !(devices[button.dataset.bioType] || webcam);
      });
    }

    function focusNext() {
      const next = text.next;
      if (next === "details") return; // the Confirm button has autofocus
      const target = next === "finish"
        ? document.querySelector("[data-finish] button[type=submit]")
        : station.querySelector('[data-step="' + next + '"]:not([disabled])');
      if (target) {
        target.classList.add("next-step");
        target.focus();
      }
    }

    function reasons(button) {
      // Fingers (or eyes) with a reason written beside them: SBI exceptions, not waited for.
      const names = button.dataset.bioType === "Iris" ? IRISES : FINGERS;
      const out = [];
      (button.dataset.slots || "").split(",").filter(Boolean).forEach(function (slot) {
        const input = document.querySelector('input[name="reason_' + slot + '"]');
        if (input && input.value.trim()) out.push({ slot: slot, name: names[slot], reason: input.value.trim() });
      });
      return out;
    }

    async function capture(button) {
      const type = button.dataset.bioType;
      let device = devices[type];
      if (!device) { // plugged in since the page opened?
        devices = byType(await discover());
        showDevices();
        enable();
        device = devices[type];
      }
      if (!device) {
        const webcam = type === "Face" && document.querySelector("[data-webcam]:not([hidden])");
        if (webcam) { webcam.click(); return; }
        say(text.textNoDevice.replace("{device}", deviceNames[type]), true);
        return;
      }
      const missing = reasons(button);
      const tx = transactionId();
      const request = {
        env: device.env,
        purpose: "Registration",
        specVersion: "0.9.5",
        timeout: String(CAPTURE_TIMEOUT_MS),
        captureTime: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
        transactionId: tx,
        bio: [{
          type: type,
          count: String(expectedCount(button, missing.length)),
          exception: missing.map((m) => m.name),
          requestedScore: "60",
          deviceId: device.deviceId,
          deviceSubId: button.dataset.subId,
          previousHash: text.previousHash,
        }],
        customOpts: {},
      };
      say(text.textCapturing, false);
      let answer;
      try {
        answer = await sbi(device.port, "RCAPTURE", "/capture", request, CAPTURE_TIMEOUT_MS + 3000);
      } catch (err) {
        delete devices[type]; // find it again on the next press
        sessionStorage.removeItem(PORT_KEY);
        say(capitalised(text.textUnreachable.replace("{device}", deviceNames[type])), true);
        return;
      }
      say(text.textSaving, false);
      const form = new FormData();
      form.append("answer", new Blob([answer], { type: "application/json" }), "answer.json");
      form.append("sub_id", button.dataset.subId);
      form.append("transaction_id", tx);
      form.append("previous_hash", text.previousHash);
      missing.forEach(function (m) {
        form.append("exception", m.name);
        form.append("reason_" + m.slot, m.reason);
      });
      let reply;
      try {
        const response = await fetch(text.deviceUrl.replace("KIND", button.dataset.kind), {
          method: "POST",
          body: form,
          headers: { "X-CSRFToken": csrfToken(), Accept: "application/json" },
          credentials: "same-origin",
        });
        reply = await response.json();
      } catch (err) {
        say(text.textFailed, true);
        return;
      }
      if (reply.ok) {
        const next = new URL(reply.next, window.location.href);
        if (next.pathname === window.location.pathname && next.search === window.location.search) {
          window.location.reload(); // the same screen, now with the capture (a hash alone would not load it)
        } else {
          window.location.assign(next.href);
        }
        return true;
      }
      say(reply.message, true);
    }

    function expectedCount(button, missing) {
      if (button.dataset.bioType === "Face") return 1;
      return (button.dataset.slots || "").split(",").filter(Boolean).length - missing;
    }

    async function press(button) {
      if (busy || button.disabled) return;
      busy = true;
      steps.forEach((b) => b.setAttribute("aria-busy", b === button ? "true" : "false"));
      let leaving = false;
      try {
        leaving = await capture(button);
      } finally {
        if (!leaving) {
          busy = false;
          button.removeAttribute("aria-busy");
          button.focus();
        }
      }
    }

    steps.forEach(function (button) {
      button.addEventListener("click", function () { press(button); });
    });
    document.addEventListener("keydown", function (e) {
      if (e.ctrlKey || e.metaKey || e.altKey) return;
      const tag = (e.target && e.target.tagName) || "";
      if (["INPUT", "TEXTAREA", "SELECT"].includes(tag) || (e.target && e.target.isContentEditable)) return;
      const button = steps.find((b) => b.dataset.key === e.key.toLowerCase());
      if (button) {
        e.preventDefault();
        press(button);
      }
    });

    discover().then(function (found) {
      devices = byType(found);
      showDevices();
      enable();
      station.dataset.ready = "1";
      focusNext();
    });
  }

  // Finish with the signature the person drew: it is kept first, so finishing is one key.
  function setUpFinish(form) {
    const pad = document.querySelector('form[data-capture="signature"]');
    if (!form || !pad) return;
    const finish = form.querySelector("button[type=submit]");
    const canvas = pad.querySelector("canvas[data-pad]");
    if (canvas && finish.hasAttribute("data-next-step")) {
      // The person has signed: Enter finishes, wherever the pointer left the focus.
      const back = function () { setTimeout(function () { finish.focus(); }, 0); };
      canvas.addEventListener("pointerup", back);
      canvas.addEventListener("lostpointercapture", back);
    }
    form.addEventListener("submit", async function (e) {
      if (form.hasAttribute("data-signed") || !canvas || canvas.dataset.inked !== "1") return;
      e.preventDefault();
      if (typeof pad.fillSignature === "function") pad.fillSignature();
      const response = await fetch(pad.action, { method: "POST", body: new FormData(pad), credentials: "same-origin" });
      if (!response.ok) { // refused: the page says why, where the signature is
        delete form.dataset.sent;
        pad.submit();
        return;
      }
      form.setAttribute("data-signed", "");
      form.submit();
    });
  }

  setUpFinish(finishForm);
  if (station) setUp();
})();
