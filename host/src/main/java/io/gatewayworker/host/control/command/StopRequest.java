package io.gatewayworker.host.control.command;

import java.time.Duration;

/** How {@code stop} reaches the owner of the process. Called on the command's thread; must not block long. */
@FunctionalInterface
public interface StopRequest {

    /**
     * Asks the process to stop.
     *
     * @param graceful stop accepting and let the clients leave first
     * @param timeout with {@code graceful}, the longest wait for the clients to leave
     */
    void stop(boolean graceful, Duration timeout);
}
