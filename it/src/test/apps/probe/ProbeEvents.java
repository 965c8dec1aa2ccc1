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
 * whoami -> the client id; spin:MS -> "spinning", keeps the CPU busy for MS ms without blocking, then
 * "spun"; exit:N, halt:N, exitref:N -> System.exit(N), Runtime.halt(N), System::exit (which the host
 * refuses: the callback ends with an exception). It records onClose and onWorkerStop in system properties (and onWorkerStop
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
        } else if (message.startsWith("spin:")) {
            gateway.sendToClient(id, "spinning");
            long until = System.nanoTime() + Long.parseLong(message.substring(5)) * 1_000_000L;
            long x = 0;
            while (System.nanoTime() < until) {
                x += until ^ x; // keep the CPU busy, never block
            }
            gateway.sendToClient(id, "spun " + (x & 1));
        } else if (message.startsWith("exit:")) {
            System.exit(Integer.parseInt(message.substring(5)));
            gateway.sendToClient(id, "still here after System.exit");
        } else if (message.startsWith("halt:")) {
            Runtime.getRuntime().halt(Integer.parseInt(message.substring(5)));
            gateway.sendToClient(id, "still here after Runtime.halt");
        } else if (message.startsWith("exitref:")) {
            java.util.function.IntConsumer exit = System::exit;
            exit.accept(Integer.parseInt(message.substring(8)));
            gateway.sendToClient(id, "still here after System::exit");
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
