/*
 * The export page's "Select all" toggle (templates/admin/import_export/export.html), wired here
 * instead of by an inline onchange attribute, which the Content-Security-Policy refuses.
 * onSelectToggleChange comes from django-import-export's export_selectable_fields.js.
 */
document.addEventListener("DOMContentLoaded", function () {
  "use strict";
  if (typeof onSelectToggleChange !== "function") {
    return;
  }
  document.querySelectorAll("input.select-toggle").forEach(function (toggle) {
    toggle.addEventListener("change", onSelectToggleChange);
  });
});
