// Preload for memory experiments: every process the benchmark starts prints its
// process.memoryUsage() each second with BENCH_NODE_IMPORT=$PWD/test/bench/tools/memlog.mjs
// (and --verbose to see it).
setInterval(() => { const m = process.memoryUsage(); process.stderr.write(`MEM rss=${(m.rss/1e6)|0} heapUsed=${(m.heapUsed/1e6)|0} heapTotal=${(m.heapTotal/1e6)|0} external=${(m.external/1e6)|0} ab=${(m.arrayBuffers/1e6)|0}\n`); }, 1000).unref();
