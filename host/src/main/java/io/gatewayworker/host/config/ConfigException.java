package io.gatewayworker.host.config;

/**
 * The configuration is wrong: an unknown key, a bad value, a file that cannot be read. The message is
 * one line that names the place (file and line, or option), what is wrong and what is expected.
 */
public final class ConfigException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public ConfigException(String message) {
        super(message);
    }
}
