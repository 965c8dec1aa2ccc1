/**
 * The internal protocol as every role uses it: {@link io.gatewayworker.host.link.LinkInitializer}
 * builds a link's pipeline on either transport, {@link io.gatewayworker.host.link.OutboundQueue} hands
 * messages to a link from any thread in batches, {@link io.gatewayworker.host.link.ClientId} encodes and
 * decodes client ids, {@link io.gatewayworker.host.link.SessionCodec} converts sessions, and
 * {@link io.gatewayworker.host.link.RegisterLink} keeps a role connected to the register.
 *
 * <p>The roles ({@code register}, {@code gateway}, {@code worker}) depend on this package and never on
 * each other.
 */
package io.gatewayworker.host.link;
