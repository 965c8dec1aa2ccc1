/**
 * The load generator: a Netty WebSocket client process with three modes (echo, broadcast, idle), driven
 * line by line through its standard input. Entry point: {@link io.gatewayworker.bench.load.LoadGenerator}.
 */
package io.gatewayworker.bench.load;
