package io.gatewayworker.host.control.command;

import java.time.Duration;

/**
 * What a command runs in: the view of the running system, the commands beside it (for {@code help})
 * and the way to stop the process. The {@link CommandDispatcher} is the one implementation.
 */
public interface CommandContext {

    /** The running system, as the commands may see it. */
    OperatorView view();

    /** Every command of this front end. */
    CommandGroup commands();

    /** Asks the process to stop (see {@link StopRequest}). */
    void requestStop(boolean graceful, Duration timeout);
}
