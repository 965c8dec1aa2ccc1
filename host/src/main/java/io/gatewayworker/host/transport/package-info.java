/**
 * How the roles reach each other: {@link io.gatewayworker.host.transport.Transport} (in-JVM or TCP),
 * {@link io.gatewayworker.host.transport.InternalAddress} (the "ip:port" that names a role's internal
 * endpoint on either transport) and {@link io.gatewayworker.host.transport.EventLoops} (the threads
 * that run all network I/O).
 */
package io.gatewayworker.host.transport;
