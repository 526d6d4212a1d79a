// Preloaded into every process the benchmark starts: if the benchmark dies
// (Ctrl+C through npm, a timeout, a crash), its servers and workers follow
// instead of looping on forever against a simulator that is gone.
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) process.exit(1);
}, 1000).unref();
