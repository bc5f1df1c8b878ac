// Shows the kernel's counters from /api/stats.json.
fetch("/api/stats.json")
  .then((r) => r.json())
  .then((stats) => {
    const rows = Object.entries(stats).map(([k, v]) => `<tr><td>${k}</td><td>${v}</td></tr>`);
    document.getElementById("stats").innerHTML = rows.join("");
    document.body.dataset.loaded = "true";
  });
