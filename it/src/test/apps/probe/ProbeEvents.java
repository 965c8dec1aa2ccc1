package test.probe;

import io.gatewayworker.api.AppContext;
import io.gatewayworker.api.Client;
import io.gatewayworker.api.Events;
import io.gatewayworker.api.Gateway;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ConcurrentHashMap;
import org.pf4j.Extension;

/**
 * A test app. Commands (text messages): ping -> pong; sleep:MS -> sleeps, then "slept"; seq:N -> checks
 * that N follows the previous seq of this client, answers seq-ok:N or seq-bad:N; boom -> throws;
 * whoami -> the client id. It records onClose and onWorkerStop in system properties (and onWorkerStop
 * in the file named by -Dprobe.stopFile, when set).
 */
@Extension
public class ProbeEvents implements Events {

    private volatile Gateway gateway;
    private final ConcurrentHashMap<String, Integer> lastSeq = new ConcurrentHashMap<>();

    @Override
    public void onWorkerStart(AppContext context) {
        gateway = context.gateway();
        System.setProperty("probe.started", context.version());
    }

    @Override
    public void onConnect(Client client) {
        gateway.sendToClient(client.id(), "welcome " + client.id());
    }

    @Override
    public void onMessage(Client client, String message) {
        String id = client.id();
        if (message.equals("ping")) {
            gateway.sendToClient(id, "pong");
        } else if (message.startsWith("sleep:")) {
            try {
                Thread.sleep(Long.parseLong(message.substring(6)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            gateway.sendToClient(id, "slept");
        } else if (message.startsWith("seq:")) {
            int n = Integer.parseInt(message.substring(4));
            Integer previous = lastSeq.put(id, n);
            int expected = previous == null ? 1 : previous + 1;
            gateway.sendToClient(id, (n == expected ? "seq-ok:" : "seq-bad:") + n);
        } else if (message.equals("boom")) {
            throw new IllegalStateException("boom, as asked");
        } else if (message.equals("whoami")) {
            gateway.sendToClient(id, id);
        } else {
            gateway.sendToClient(id, "unknown: " + message);
        }
    }

    @Override
    public void onClose(Client client) {
        lastSeq.remove(client.id());
        System.setProperty("probe.closed." + client.id(), "true");
    }

    @Override
    public void onWorkerStop(AppContext context) {
        System.setProperty("probe.stopped", "true");
        String file = System.getProperty("probe.stopFile");
        if (file != null) {
            try {
                Files.writeString(Path.of(file), "stopped");
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    }
}
