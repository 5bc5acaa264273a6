// rekindle's dashboard: a little plain JavaScript, nothing it cannot do
// without. Buttons that stop reminders ask first; times show as "in 3 days".
"use strict";
document.addEventListener("submit", (ev) => {
  const b = ev.submitter;
  if (b && b.dataset.confirm && !window.confirm(b.dataset.confirm)) ev.preventDefault();
});
const rel = new Intl.RelativeTimeFormat(undefined, { numeric: "auto" });
for (const t of document.querySelectorAll("time[datetime]")) {
  const days = Math.round((new Date(t.dateTime) - Date.now()) / 86400000);
  if (Math.abs(days) <= 30) t.title = rel.format(days, "day");
}
