package io.realtime.cluster;

import java.util.List;

/** A cluster request that did not get every answer in time; carries the answers that did arrive. */
public class ClusterTimeoutException extends RuntimeException {

    private final transient List<Object> partialResults;

    public ClusterTimeoutException(String message, List<Object> partialResults) {
        super(message);
        this.partialResults = java.util.Collections.unmodifiableList(new java.util.ArrayList<>(partialResults));
    }

    public List<Object> partialResults() {
        return partialResults;
    }
}
