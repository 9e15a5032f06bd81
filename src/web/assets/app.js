// recon's web workbench: small conveniences over pages that work without script —
// keyboard and ticking on the workbench, the running difference, upload progress.
"use strict";

function hereUrl() { return location.pathname + location.search; }

// Money as cents, so the running difference is exact (no floating point).
function cents(text) {
  const m = /^\s*(-?)(\d+)(?:\.(\d{1,2}))?\s*$/.exec(text || "");
  if (!m) return 0;
  const v = parseInt(m[2], 10) * 100 + parseInt(((m[3] || "") + "00").slice(0, 2), 10);
  return m[1] ? -v : v;
}
function money(c) {
  const sign = c < 0 ? "-" : "";
  const a = Math.abs(c);
  return sign + Math.floor(a / 100) + "." + String(a % 100).padStart(2, "0");
}

function withSel(url, sel) {
  const u = new URL(url, location.origin);
  if (sel) u.searchParams.set("sel", sel); else u.searchParams.delete("sel");
  return u.pathname + u.search;
}

document.addEventListener("DOMContentLoaded", () => {
  for (const input of document.querySelectorAll("input.back-here")) input.value = hereUrl();
  const toggle = document.getElementById("lang-toggle");
  if (toggle) toggle.href = toggle.getAttribute("href").split("?")[0] + "?back=" + encodeURIComponent(hereUrl());

  const upload = document.getElementById("upload");
  if (upload) {
    upload.addEventListener("submit", (ev) => {
      ev.preventDefault();
      const bar = document.getElementById("upload-progress");
      bar.hidden = false;
      document.getElementById("upload-submit").disabled = true;
      const xhr = new XMLHttpRequest();
      xhr.open("POST", upload.action);
      xhr.upload.onprogress = (e) => { if (e.lengthComputable) bar.value = Math.round(100 * e.loaded / e.total); };
      xhr.onload = () => { location.href = xhr.responseURL || "/import"; };
      xhr.onerror = () => { location.href = "/import"; };
      xhr.send(new FormData(upload));
    });
  }
  const commit = document.getElementById("commit");
  if (commit) commit.addEventListener("submit", () => {
    document.getElementById("busy").hidden = false;
    document.getElementById("import-commit").disabled = true;
  });

  // Ctrl+Enter in an SQL editor (the SQL page, a report's query) runs it, as in the
  // shell's editors.
  for (const editor of document.querySelectorAll("textarea.sql")) {
    editor.addEventListener("keydown", (e) => {
      if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
        e.preventDefault();
        editor.form.requestSubmit();
      }
    });
  }

  const bench = document.querySelector(".workbench");
  if (!bench) return;
  const items = () => Array.from(document.querySelectorAll("tr.item"));
  const selected = () => document.querySelector("tr.item.selected");
  const selOf = (row) => row ? row.dataset.kind + ":" + row.dataset.id : "";

  function difference() {
    let total = 0;
    for (const box of document.querySelectorAll("input.tick:checked")) {
      const row = box.closest("tr.item");
      const c = cents(row.dataset.amount);
      total += row.closest("table").id === "left" ? c : -c;
      row.classList.add("ticked");
    }
    for (const box of document.querySelectorAll("input.tick:not(:checked)")) box.closest("tr.item").classList.remove("ticked");
    const out = document.getElementById("difference");
    if (out) { out.textContent = money(total); out.classList.toggle("zero", total === 0); }
  }
  document.addEventListener("change", (e) => { if (e.target.matches("input.tick")) difference(); });
  difference();

  // The item to select after a decision: the one after the selected item, when the
  // selected item is what the decision takes away.
  function nextSel(gone) {
    const row = selected();
    if (!row || !gone(row)) return selOf(row);
    const rows = Array.from(row.closest("tbody").querySelectorAll("tr.item"));
    const later = rows.slice(rows.indexOf(row) + 1).find((r) => !gone(r));
    const earlier = rows.slice(0, rows.indexOf(row)).reverse().find((r) => !gone(r));
    return selOf(later || earlier);
  }
  for (const form of document.querySelectorAll("form.decision")) {
    form.addEventListener("submit", () => {
      const ticked = (r) => r.querySelector("input.tick") && r.querySelector("input.tick").checked;
      // Accepting takes the selected item away; a decision on ticked rows takes those.
      const accepted = form.classList.contains("accept-form") ? selected() : null;
      const sel = nextSel((r) => r === accepted || ticked(r));
      for (const back of form.querySelectorAll("input.back-next")) back.value = withSel(hereUrl(), sel);
    });
  }

  function select(row) {
    if (!row) return;
    location.href = withSel(hereUrl(), selOf(row));
  }
  for (const row of items()) {
    row.addEventListener("click", (e) => {
      if (e.target.closest("input, a, button")) return;
      select(row);
    });
  }
  const current = selected();
  if (current) { current.focus({ preventScroll: false }); current.scrollIntoView({ block: "nearest" }); }

  document.addEventListener("keydown", (e) => {
    if (e.target.matches("input, select, textarea")) return;
    const row = selected();
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      if (!row) { select(items()[0]); return; }
      const rows = Array.from(row.closest("tbody").querySelectorAll("tr.item"));
      const i = rows.indexOf(row) + (e.key === "ArrowDown" ? 1 : -1);
      if (i >= 0 && i < rows.length) select(rows[i]);
    } else if (e.key === "Enter") {
      const accept = document.querySelector("#candidates button.accept");
      if (accept) { e.preventDefault(); accept.click(); }
    } else if (e.key === " " && row) {
      e.preventDefault();
      const box = row.querySelector("input.tick");
      if (box) { box.checked = !box.checked; difference(); }
    }
  });
});
