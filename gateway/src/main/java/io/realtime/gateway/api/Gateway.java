package io.realtime.gateway.api;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a class as a gateway: the real-time feature of one namespace. Its methods annotated with netty-socketio's
 * {@code @OnEvent} handle events (one typed, validated payload parameter; a returned value becomes the ack, a thrown
 * {@link GatewayException} an error reply), {@code @OnConnect} and {@code @OnDisconnect} methods follow the sockets.
 * Handler methods run on the connection's event loop and must not block.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface Gateway {

    /** Namespace name on the wire: {@code /}, {@code /chat}. */
    String namespace();

    /**
     * Whether clients must present a valid token to connect under {@code AUTH_MODE=jwt}: required unless declared
     * {@link AuthPolicy#PUBLIC} here or named in {@code AUTH_PUBLIC_NAMESPACES}.
     */
    AuthPolicy auth() default AuthPolicy.REQUIRED;
}
