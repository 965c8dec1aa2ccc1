/**
 * The ceiling: a raw Netty WebSocket server that answers {@code echo:} and {@code all:} in its handlers,
 * with no gateway/worker hop. Entry point: {@link io.gatewayworker.bench.ceiling.CeilingServer}.
 */
package io.gatewayworker.bench.ceiling;
