/**
 * The Gateway role: holds client connections and everything kept per connection (session, uid,
 * groups), forwards client events to a worker and carries out the commands workers send.
 *
 * <p>Starting points: {@link io.gatewayworker.host.gateway.GatewayServer} (the role: internal
 * endpoint, register link, public listeners, stop); {@code ClientTable} and {@code ClientConnection}
 * (the connection table and one client); {@code WorkerLinkHandler} and {@code CommandExecutor} (links
 * from workers and the commands on them); {@code WebSocketListenerInitializer} (the WebSocket
 * pipeline).
 *
 * <p><b>Threads.</b> A client connection and all its state belong to its channel's event loop.
 * Commands from a worker link are sorted by the event loop of their target clients and handed to each
 * loop as one batch per read burst, in order ({@code LoopBatch}). Events travel to a worker link
 * through its {@link io.gatewayworker.host.link.OutboundQueue}. No app code ever runs here.
 */
package io.gatewayworker.host.gateway;
