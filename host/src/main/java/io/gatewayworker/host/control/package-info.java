/**
 * What operators use: {@link io.gatewayworker.host.control.AdminCommands} (status, connections,
 * plugins, reload, kick, send, broadcast, groups, config, stop), shared by the interactive shell and
 * the {@link io.gatewayworker.host.control.ControlServer}, the loopback endpoint that
 * {@code bin/gatewayworker} talks to, guarded by a token in the {@link io.gatewayworker.host.control.ControlFile}.
 * Reports are laid out for an 80-column terminal.
 */
package io.gatewayworker.host.control;
