/**
 * The GatewayWorker host: nothing in {@code io.gatewayworker.host} is API; apps see only
 * {@code io.gatewayworker.api}.
 *
 * <h2>Map of the roles</h2>
 * <pre>
 *   clients ──ws──► gateway/  GatewayServer: listeners, ClientTable, WorkerLinkHandler
 *                      ▲ │ events (ClientEvent)            internal links: link/ (Envelope messages,
 *             commands │ ▼                                 in-JVM or TCP, transport/)
 *                   worker/  BusinessWorker: GatewayLinkHandler, Dispatcher, AppGateway
 *                      │
 *                   app/     AppManager: one PF4J class loader per app version
 *
 *   register/ RegisterServer: gateways announce themselves, workers learn the list
 * </pre>
 *
 * <p>{@link io.gatewayworker.host.Host} runs all three roles in one JVM (the embedded mode) over the
 * in-JVM transport; {@link io.gatewayworker.host.Main} is the command line. The roles never call each
 * other: they exchange the messages of {@code proto/} over links.
 */
package io.gatewayworker.host;
