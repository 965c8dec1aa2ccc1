package io.gatewayworker.host.control.command;

/**
 * A command line that does not fit its command's grammar. Its message is one line saying what is
 * wrong ("option --limit needs a value"); the dispatcher adds the usage and answers exit status 2.
 */
public final class UsageException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public UsageException(String message) {
        super(message);
    }
}
