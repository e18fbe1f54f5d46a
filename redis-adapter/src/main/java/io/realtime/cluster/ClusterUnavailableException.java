package io.realtime.cluster;

/** The cluster cannot be reached (Redis is down); local delivery goes on, cluster requests fail fast with this. */
public class ClusterUnavailableException extends RuntimeException {

    public ClusterUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }

    /** For one that is raised often and tells nothing by its stack (a message held during an outage). */
    protected ClusterUnavailableException(String message, boolean writableStackTrace) {
        super(message, null, false, writableStackTrace);
    }
}
