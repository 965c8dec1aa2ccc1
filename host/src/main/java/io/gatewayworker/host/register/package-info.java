/**
 * The Register role: keeps the list of live gateways and tells every worker and push client about it,
 * again on every join and leave. Entry point: {@link io.gatewayworker.host.register.RegisterServer}.
 */
package io.gatewayworker.host.register;
