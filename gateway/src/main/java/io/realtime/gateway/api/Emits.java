package io.realtime.gateway.api;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/** The events a gateway sends to clients, so the public event list (AsyncAPI) can be checked against the code. */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface Emits {
    String[] value();
}
