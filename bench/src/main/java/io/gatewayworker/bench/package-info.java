/**
 * Benchmarks of GatewayWorker for Java: tools, not the product. Entry points:
 *
 * <ul>
 *   <li>{@link io.gatewayworker.bench.run.Bench}: {@code bin/bench SCENARIO}, the scenario runner; it
 *       starts the servers and the load processes and prints the figures;
 *   <li>{@link io.gatewayworker.bench.ceiling.CeilingServer}: the raw Netty WebSocket server, the
 *       ceiling the host is measured against;
 *   <li>{@link io.gatewayworker.bench.load.LoadGenerator}: one load-generator process, driven by the
 *       runner through its standard input;
 *   <li>{@code io.gatewayworker.bench.jmh}: JMH benchmarks of the host's hot paths
 *       ({@code java -jar bench/target/benchmarks.jar}).
 * </ul>
 *
 * Everything binds and connects to loopback addresses only (127.0.0.0/8).
 */
package io.gatewayworker.bench;
