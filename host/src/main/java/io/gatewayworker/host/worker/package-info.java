/**
 * The BusinessWorker role: links to every gateway the register lists, runs the apps' callbacks for
 * the events that arrive, and turns {@code Gateway} API calls into commands to the right gateway.
 *
 * <p>Starting points: {@link io.gatewayworker.host.worker.BusinessWorker} (the role);
 * {@code GatewayLinkHandler} and {@code GatewayLink} (one link to a gateway, its credit and its
 * commands); {@code Dispatcher} and {@code ClientState} (each client's ordered mailbox, run on virtual
 * threads); {@code AppGateway} (the {@code Gateway} an app calls).
 *
 * <p><b>Threads.</b> Link handlers run on I/O loops and only hand events to mailboxes. Each client's
 * mailbox runs on a virtual thread, one event at a time, with the app's class loader as context
 * loader; different clients run concurrently. App code never runs on an I/O loop. Commands leave
 * through each link's {@link io.gatewayworker.host.link.OutboundQueue}, in batches.
 */
package io.gatewayworker.host.worker;
