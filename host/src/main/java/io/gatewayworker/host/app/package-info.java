/**
 * The app container of the BusinessWorker role: loads each app jar from {@code plugins/} in a PF4J
 * class loader of its own, starts and stops it, and publishes the running apps as an immutable
 * snapshot for the dispatcher.
 *
 * <p>Entry point: {@link io.gatewayworker.host.app.AppManager}, the only caller of PF4J, on one
 * owner thread. {@link io.gatewayworker.host.app.AppRuntime} is one loaded version of an app;
 * {@link io.gatewayworker.host.app.AppClassLoader} is its class loader, which takes
 * {@code io.gatewayworker.api}, SLF4J and PF4J from the host and hides everything else of the host.
 */
package io.gatewayworker.host.app;
