package io.gatewayworker.host.link;

import io.gatewayworker.proto.link.v1.Challenge;
import io.gatewayworker.proto.link.v1.Envelope;
import io.gatewayworker.proto.link.v1.Hello;
import io.gatewayworker.proto.link.v1.Refused;
import io.gatewayworker.proto.link.v1.Welcome;
import com.google.protobuf.ByteString;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens a TCP link between roles: both sides prove that they hold the cluster secret, and neither sends
 * it. The same handler serves every link type (register, gateway, push client), on each side:
 *
 * <pre>
 *   accepting side                         connecting side
 *   Challenge{nonce A}          ------->
 *                               <-------   Hello{..., nonce C, auth = HMAC(secret, "hello" A role name)}
 *   (checks auth; refuses and closes when it is wrong)
 *   Welcome{..., auth = HMAC(secret, "welcome" C A)}  ---->
 *                                          (checks auth; closes when it is wrong)
 * </pre>
 *
 * The role handlers above it see only Hello and Welcome: this handler holds the connecting side's Hello
 * until the challenge came, and signs the accepting side's Welcome as it goes out. Then it leaves the
 * pipeline. Without a secret on either side, nothing is checked (loopback only; {@code Host} refuses a
 * non-loopback internal port without one); a side with a secret refuses a peer without the same one.
 *
 * <p>One instance per link; runs on the link's loop.
 */
public final class LinkAuthHandler extends ChannelDuplexHandler {

    private static final Logger log = LoggerFactory.getLogger(LinkAuthHandler.class);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final boolean accepting;
    private final byte[] secret;
    private final String what;
    private byte[] challenge;      // accepting side: the nonce it sent; connecting side: the nonce it got
    private byte[] ownNonce;       // connecting side: the nonce it sent in Hello
    private byte[] peerNonce;      // accepting side: the connecting side's nonce, for Welcome.auth
    private Envelope heldHello;
    private ChannelPromise heldPromise;

    /**
     * @param accepting whether this is the side that accepted the connection
     * @param secret the cluster secret; empty for none
     * @param what this link in log lines, e.g. "register" or "gateway 10.0.0.5:2300"
     */
    public LinkAuthHandler(boolean accepting, String secret, String what) {
        this.accepting = accepting;
        this.secret = secret.getBytes(StandardCharsets.UTF_8);
        this.what = what;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        if (accepting) {
            challenge = nonce();
            ctx.writeAndFlush(Envelope.newBuilder().setChallenge(Challenge.newBuilder().setNonce(ByteString.copyFrom(challenge)))
                    .build(), ctx.voidPromise());
        }
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof Envelope envelope)) {
            ctx.fireChannelRead(msg);
            return;
        }
        if (accepting) {
            if (envelope.hasHello()) {
                Hello hello = envelope.getHello();
                if (secret.length > 0 && !MessageDigest.isEqual(hello.getAuth().toByteArray(),
                        hmac("hello", challenge, hello.getRole().name().getBytes(StandardCharsets.UTF_8),
                                hello.getName().getBytes(StandardCharsets.UTF_8)))) {
                    log.warn("Refusing a {} link from {} ({} '{}'): {} the cluster secret", what, ctx.channel().remoteAddress(),
                            hello.getRole(), hello.getName(), hello.getAuth().isEmpty() ? "it does not prove" : "it proves another");
                    ctx.writeAndFlush(Envelope.newBuilder().setRefused(Refused.newBuilder()
                            .setReason("wrong or missing cluster secret: set the same cluster.secret on every role")).build())
                            .addListener(ChannelFutureListener.CLOSE);
                    return;
                }
                peerNonce = hello.getNonce().toByteArray();
            }
            ctx.fireChannelRead(msg);
            return;
        }
        // Connecting side.
        if (envelope.hasChallenge()) {
            challenge = envelope.getChallenge().getNonce().toByteArray();
            if (heldHello != null) {
                Envelope hello = signed(heldHello);
                heldHello = null;
                ctx.writeAndFlush(hello, heldPromise);
            }
            return;
        }
        if (envelope.hasWelcome()) {
            if (secret.length > 0 && !MessageDigest.isEqual(envelope.getWelcome().getAuth().toByteArray(),
                    hmac("welcome", ownNonce == null ? new byte[0] : ownNonce, challenge == null ? new byte[0] : challenge))) {
                log.error("The {} at {} does not prove the cluster secret: closing the link (set the same cluster.secret"
                        + " on every role)", what, ctx.channel().remoteAddress());
                ctx.close();
                return;
            }
            ctx.pipeline().remove(this);
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof Envelope envelope) {
            if (!accepting && envelope.hasHello()) {
                if (challenge == null) {
                    heldHello = envelope; // sent once the challenge is here
                    heldPromise = promise;
                    return;
                }
                ctx.write(signed(envelope), promise);
                return;
            }
            if (accepting && envelope.hasWelcome()) {
                Welcome signedWelcome = envelope.getWelcome().toBuilder()
                        .setAuth(ByteString.copyFrom(secret.length == 0 ? new byte[0]
                                : hmac("welcome", peerNonce == null ? new byte[0] : peerNonce, challenge)))
                        .build();
                ctx.write(Envelope.newBuilder().setWelcome(signedWelcome).build(), promise);
                ctx.pipeline().remove(this);
                return;
            }
        }
        ctx.write(msg, promise);
    }

    private Envelope signed(Envelope helloEnvelope) {
        Hello hello = helloEnvelope.getHello();
        ownNonce = nonce();
        Hello.Builder b = hello.toBuilder().setNonce(ByteString.copyFrom(ownNonce));
        if (secret.length > 0) {
            b.setAuth(ByteString.copyFrom(hmac("hello", challenge, hello.getRole().name().getBytes(StandardCharsets.UTF_8),
                    hello.getName().getBytes(StandardCharsets.UTF_8))));
        }
        return Envelope.newBuilder().setHello(b).build();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        if (heldHello != null && heldPromise != null) {
            heldPromise.tryFailure(new IllegalStateException("the link closed before its challenge came"));
            heldHello = null;
        }
    }

    private static byte[] nonce() {
        byte[] n = new byte[24];
        RANDOM.nextBytes(n);
        return n;
    }

    private byte[] hmac(String label, byte[]... parts) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.length == 0 ? new byte[1] : secret, "HmacSHA256"));
            mac.update(label.getBytes(StandardCharsets.US_ASCII));
            for (byte[] part : parts) {
                mac.update((byte) 0);
                mac.update(part);
            }
            return mac.doFinal();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available in this JDK", e);
        }
    }
}
