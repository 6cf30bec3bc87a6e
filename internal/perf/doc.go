// Package perf measures commit-labeler the way the README's performance
// table reports it: each measurement beside its reference, in one run
// (`bench train`, `make perf`). The benchmarks of pipeline/ and models/
// measure through the same functions.
package perf
