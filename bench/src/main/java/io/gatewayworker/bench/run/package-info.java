/**
 * The scenario runner behind {@code bin/bench}: starts the host and the ceiling, starts and drives the
 * load processes, samples CPU and memory from {@code /proc} and the heap through {@code jcmd}, and
 * prints the report. Entry point: {@link io.gatewayworker.bench.run.Bench}.
 */
package io.gatewayworker.bench.run;
