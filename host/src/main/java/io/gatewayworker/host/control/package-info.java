/**
 * What operators use: {@link io.gatewayworker.host.control.AdminCommands} (the commands of
 * {@link io.gatewayworker.host.control.command} against this process's
 * {@code LocalOperatorView}), shared by the interactive shell and the
 * {@link io.gatewayworker.host.control.ControlServer}, the loopback endpoint that
 * {@code bin/gatewayworker} talks to, guarded by a token in the {@link io.gatewayworker.host.control.ControlFile}.
 */
package io.gatewayworker.host.control;
