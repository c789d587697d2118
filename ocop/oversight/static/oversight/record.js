/* The phone form of an inspection (oversight/inspection_record.html). Works without this file;
 * with it:
 * - a signature pad: a canvas drawn with finger or mouse, sent as a PNG data URL in the hidden
 *   "signature" field (the server decodes, size-limits and checks it is a PNG);
 * - the draft: the form's values are kept in localStorage (per inspection) while typing, put back
 *   after a failed submission or a reload, and dropped once the server has saved them (the page
 *   then carries the draft's submission key as data-saved-key);
 * - a form changed after it was sent gets a new submission key (the old one means "this exact
 *   submission", which the server would not save twice).
 */
(function () {
  "use strict";
  var form = document.getElementById("record-form");
  if (!form) { return; }
  var storeKey = form.getAttribute("data-draft");
  var savedKey = form.getAttribute("data-saved-key") || "";
  var keyField = form.querySelector("input[name=submission_key]");
  var sentFlag = storeKey + ":sent";

  function storage() {
    try { return window.localStorage; } catch (e) { return null; }
  }

  function newKey() {
    if (window.crypto && window.crypto.randomUUID) { return window.crypto.randomUUID(); }
    var hex = "";
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    for (var i = 0; i < 16; i++) { hex += (bytes[i] + 0x100).toString(16).slice(1); }
    return hex.slice(0, 8) + "-" + hex.slice(8, 12) + "-" + hex.slice(12, 16) + "-" + hex.slice(16, 20) + "-" + hex.slice(20);
  }

  function fields() {
    return Array.prototype.filter.call(form.elements, function (el) {
      return el.name && el.type !== "file" && el.type !== "submit" && el.type !== "button" &&
        el.name !== "csrfmiddlewaretoken" && el.name !== "submission_key";
    });
  }

  function snapshot() {
    var values = {};
    fields().forEach(function (el) {
      if (el.type === "radio") {
        if (el.checked) { values[el.name] = el.value; } else if (!(el.name in values)) { values[el.name] = null; }
      } else if (el.type === "checkbox") {
        values[el.name] = el.checked;
      } else {
        values[el.name] = el.value;
      }
    });
    return values;
  }

  function save() {
    var store = storage();
    if (!store) { return; }
    try {
      store.setItem(storeKey, JSON.stringify({ key: keyField.value, values: snapshot() }));
    } catch (e) { /* full storage: the server copy is what counts */ }
  }

  function restore() {
    var store = storage();
    if (!store) { return; }
    var raw = store.getItem(storeKey);
    if (!raw) { return; }
    var draft;
    try { draft = JSON.parse(raw); } catch (e) { store.removeItem(storeKey); return; }
    if (!draft || !draft.values || (savedKey && draft.key === savedKey)) {
      store.removeItem(storeKey);  // saved by the server: nothing to put back
      return;
    }
    var changed = false;
    fields().forEach(function (el) {
      if (!(el.name in draft.values)) { return; }
      var value = draft.values[el.name];
      if (el.type === "radio") {
        var on = value === el.value;
        if (el.checked !== on) { el.checked = on; changed = true; }
      } else if (el.type === "checkbox") {
        if (el.checked !== !!value) { el.checked = !!value; changed = true; }
      } else if (value !== null && el.value !== value) {
        el.value = value;
        changed = true;
      }
    });
    if (changed) {
      var box = document.getElementById("draft-restored");
      if (box) { box.textContent = form.getAttribute("data-restored"); box.classList.remove("d-none"); }
    }
  }

  function touched() {
    var session = null;
    try { session = window.sessionStorage; } catch (e) { /* private mode */ }
    if (session && session.getItem(sentFlag) === keyField.value) {
      keyField.value = newKey();  // a changed form is a new submission
      session.removeItem(sentFlag);
    }
    save();
  }

  restore();
  form.addEventListener("input", touched);
  form.addEventListener("change", touched);
  form.addEventListener("submit", function () {
    save();
    try { window.sessionStorage.setItem(sentFlag, keyField.value); } catch (e) { /* private mode */ }
  });

  // --- signature pad ---
  var box = document.getElementById("signature-pad-box");
  var canvas = document.getElementById("signature-pad");
  var hidden = form.querySelector("input[name=signature]");
  if (!box || !canvas || !hidden || !canvas.getContext) { return; }
  box.classList.remove("d-none");
  var context = canvas.getContext("2d");
  var drawing = false;
  var drawn = false;

  function fit() {
    var ratio = window.devicePixelRatio || 1;
    var width = canvas.clientWidth;
    var height = canvas.clientHeight;
    canvas.width = Math.round(width * ratio);
    canvas.height = Math.round(height * ratio);
    context.setTransform(ratio, 0, 0, ratio, 0, 0);
    context.lineWidth = 2.5;
    context.lineCap = "round";
    context.lineJoin = "round";
    context.strokeStyle = "#111";
    drawn = false;
  }

  function point(event) {
    var rect = canvas.getBoundingClientRect();
    return { x: event.clientX - rect.left, y: event.clientY - rect.top };
  }

  canvas.addEventListener("pointerdown", function (event) {
    drawing = true;
    canvas.setPointerCapture(event.pointerId);
    var p = point(event);
    context.beginPath();
    context.moveTo(p.x, p.y);
    event.preventDefault();
  });
  canvas.addEventListener("pointermove", function (event) {
    if (!drawing) { return; }
    var p = point(event);
    context.lineTo(p.x, p.y);
    context.stroke();
    drawn = true;
    event.preventDefault();
  });
  function finish() {
    if (!drawing) { return; }
    drawing = false;
    if (drawn) {
      hidden.value = canvas.toDataURL("image/png");
      touched();
    }
  }
  canvas.addEventListener("pointerup", finish);
  canvas.addEventListener("pointercancel", finish);
  document.getElementById("signature-clear").addEventListener("click", function () {
    context.clearRect(0, 0, canvas.width, canvas.height);
    drawn = false;
    hidden.value = "";
    touched();
  });
  fit();
  // A signature restored from the draft is kept in the hidden field (not redrawn).
  if (storage()) {
    try {
      var draft = JSON.parse(storage().getItem(storeKey) || "null");
      if (draft && draft.values && draft.values.signature && draft.key !== savedKey) { hidden.value = draft.values.signature; }
    } catch (e) { /* ignore */ }
  }
})();
