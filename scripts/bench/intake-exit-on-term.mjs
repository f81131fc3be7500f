// Preload for profiling (BENCH_NODE_ARGS='--cpu-prof --import ./scripts/bench/intake-exit-on-term.mjs'):
// exit normally on SIGTERM so that --cpu-prof writes its profile (a signal death writes none).
process.on('SIGTERM', () => process.exit(0));
