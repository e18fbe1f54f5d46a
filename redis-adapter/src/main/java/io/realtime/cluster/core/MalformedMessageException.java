package io.realtime.cluster.core;

/** A message from Redis that a codec cannot read; {@code kind} groups them for counting and logging. */
public final class MalformedMessageException extends RuntimeException {

    private final String kind;

    public MalformedMessageException(String kind, String detail) {
        super(kind + ": " + detail, null, false, false);
        this.kind = kind;
    }

    public String kind() {
        return kind;
    }
}
