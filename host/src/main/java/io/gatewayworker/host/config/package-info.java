/**
 * The host's configuration: {@link io.gatewayworker.host.config.HostConfig} (roles, addresses,
 * folders), {@link io.gatewayworker.host.config.ListenerConfig} (one public listener) and
 * {@link io.gatewayworker.host.config.Limits} (every bound, with its default).
 */
package io.gatewayworker.host.config;
