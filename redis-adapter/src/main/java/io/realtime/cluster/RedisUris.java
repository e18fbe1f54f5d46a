package io.realtime.cluster;

import io.lettuce.core.RedisURI;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The Redis URIs the adapter takes: lettuce's ({@code redis://}, {@code rediss://}, {@code redis+tls://},
 * {@code redis-socket://}, {@code redis-sentinel://}, {@code rediss-sentinel://}) and a Redis Cluster seed list,
 * {@code redis-cluster://[user:password@]host1:port1,host2:port2} ({@code rediss-cluster://} with TLS, and
 * {@code ?verifyPeer=CA} to check the certificate's chain but not its host name). Whatever is
 * said about one, in a log or an exception, has its password masked.
 */
public final class RedisUris {

    private RedisUris() {
    }

    public static boolean isCluster(String uri) {
        return uri.startsWith("redis-cluster://") || uri.startsWith("rediss-cluster://");
    }

    /** A {@code redis-sentinel://} or {@code rediss-sentinel://} URI: the Sentinels name the primary. */
    public static boolean isSentinel(String uri) {
        return uri.startsWith("redis-sentinel://") || uri.startsWith("rediss-sentinel://");
    }

    /**
     * Refuses a URI that could not be connected to, saying what is wrong (with the password masked), rather than at
     * connect time, where it would read as Redis being down.
     *
     * @throws IllegalArgumentException what is wrong
     */
    public static void check(String uri) {
        try {
            if (isCluster(uri)) {
                clusterSeeds(uri, Duration.ofSeconds(1));
            } else {
                standalone(uri);
            }
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("not a Redis URI (redis://, rediss://, redis-sentinel://host:port#master,"
                    + " redis-cluster://host:port,...): " + scrub(String.valueOf(e.getMessage()), uri) + ": " + masked(uri));
        }
    }

    /**
     * A {@code redis://}, {@code rediss://}, {@code redis-socket://} or Sentinel URI as lettuce reads it, but for one
     * slip: when {@link java.net.URI} cannot read the authority as host and port (a host name with {@code _}, as Docker
     * Compose and many internal DNS zones name hosts, or a password with a raw {@code @}), lettuce takes
     * {@code host:port} whole as the host name, with the default port. The URI would then fail only at connect time,
     * as a name DNS does not know; here the port is split off, and one that is not a port is refused.
     *
     * @throws IllegalArgumentException the URI cannot be read, or its port is not a number from 0 to 65535
     */
    public static RedisURI standalone(String uri) {
        RedisURI parsed = RedisURI.create(uri);
        String host = parsed.getHost();
        if (host == null) {
            return parsed;
        }
        // A bracketed IPv6 address has colons of its own.
        int hostEnd = host.startsWith("[") ? host.indexOf(']') + 1 : 0;
        int colon = host.indexOf(':', hostEnd);
        // No colon, or a bare IPv6 address (more than one), which lettuce connects to as written.
        if (colon < 0 || host.indexOf(':', colon + 1) >= 0) {
            return parsed;
        }
        String port = host.substring(colon + 1);
        if (!port.matches("[0-9]{1,5}") || Integer.parseInt(port) > 65_535) {
            throw new IllegalArgumentException("the port of '" + host + "' is not a number from 0 to 65535");
        }
        parsed.setHost(host.substring(0, colon));
        parsed.setPort(Integer.parseInt(port));
        return parsed;
    }

    /** The URI with its password (everything before the last {@code @}, but a user name) masked. */
    public static String masked(String uri) {
        int start = uri.indexOf("://");
        start = start < 0 ? 0 : start + 3;
        int at = uri.lastIndexOf('@');
        if (at < start) {
            return uri;
        }
        String credentials = uri.substring(start, at);
        int colon = credentials.indexOf(':');
        return uri.substring(0, start) + (colon < 0 ? "****" : credentials.substring(0, colon) + ":****") + uri.substring(at);
    }

    /** {@code text} (a message about {@code uri}) with every piece of the URI's credentials masked. */
    public static String scrub(String text, String uri) {
        int start = uri.indexOf("://");
        start = start < 0 ? 0 : start + 3;
        int at = uri.lastIndexOf('@');
        if (at <= start) {
            return text;
        }
        String credentials = uri.substring(start, at);
        String out = text.replace(credentials, "****");
        try {
            // Messages may quote them decoded ("p%40ss" as "p@ss").
            String decoded = URLDecoder.decode(credentials.replace("+", "%2B"), StandardCharsets.UTF_8);
            out = out.replace(decoded, "****");
            credentials = credentials + ":" + decoded;
        } catch (IllegalArgumentException notEncoded) {
            // a stray '%': nothing decoded to mask
        }
        // A parser's message may quote a piece of them only ("For input string: et@h"): mask each piece left.
        for (String piece : credentials.split("[:@/]")) {
            if (piece.length() >= 2) {
                out = out.replace(piece, "****");
            }
        }
        return out;
    }

    /** The seed nodes of a {@code redis-cluster://} URI, each with the credentials and TLS it names. */
    public static List<RedisURI> clusterSeeds(String uri, Duration timeout) {
        boolean tls = uri.startsWith("rediss-cluster://");
        String rest = uri.substring(uri.indexOf("://") + 3);
        String user = null;
        String password = null;
        // The credentials end at the last '@', as lettuce reads them: a password may hold '@' or '/'.
        int at = rest.lastIndexOf('@');
        if (at >= 0) {
            String credentials = rest.substring(0, at);
            rest = rest.substring(at + 1);
            int colon = credentials.indexOf(':');
            user = colon < 0 ? null : decode(credentials.substring(0, colon));
            password = decode(colon < 0 ? credentials : credentials.substring(colon + 1));
        }
        int end = indexOfAny(rest, '/', '?');
        String authority = end < 0 ? rest : rest.substring(0, end);
        io.lettuce.core.SslVerifyMode verifyPeer = verifyPeer(end < 0 ? "" : rest.substring(end));
        if (!tls && verifyPeer != io.lettuce.core.SslVerifyMode.FULL) {
            throw new IllegalArgumentException("verifyPeer is for TLS: rediss-cluster://");
        }
        if (authority.isBlank()) {
            throw new IllegalArgumentException("a Redis Cluster URI names at least one node");
        }
        List<RedisURI> seeds = new ArrayList<>();
        for (String hostPort : authority.split(",")) {
            URI parsed;
            try {
                parsed = URI.create("redis://" + hostPort.trim());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("not host:port in the Redis Cluster seed list: '" + hostPort + "'");
            }
            if (parsed.getHost() == null || parsed.getPort() > 65_535) {
                throw new IllegalArgumentException("not host:port in the Redis Cluster seed list: '" + hostPort + "'");
            }
            RedisURI.Builder seed = RedisURI.builder().withHost(parsed.getHost())
                    .withPort(parsed.getPort() < 0 ? 6379 : parsed.getPort()).withSsl(tls).withTimeout(timeout);
            if (tls) {
                seed.withVerifyPeer(verifyPeer);
            }
            if (password != null) {
                if (user == null || user.isEmpty()) {
                    seed.withPassword(password.toCharArray());
                } else {
                    seed.withAuthentication(user, password.toCharArray());
                }
            }
            seeds.add(seed.build());
        }
        return seeds;
    }

    /**
     * What may follow a seed list: {@code ?verifyPeer=FULL|CA|NONE} (lettuce's, for {@code rediss-cluster://}: nodes
     * announce themselves by IP address, which a certificate for host names fails under FULL). A database (a cluster
     * has one) or any other option is refused rather than ignored.
     */
    private static io.lettuce.core.SslVerifyMode verifyPeer(String pathAndQuery) {
        io.lettuce.core.SslVerifyMode mode = io.lettuce.core.SslVerifyMode.FULL;
        String query = pathAndQuery;
        if (query.startsWith("/")) {
            int question = query.indexOf('?');
            String path = question < 0 ? query : query.substring(0, question);
            if (!path.equals("/") && !path.equals("/0")) {
                throw new IllegalArgumentException("a Redis Cluster has one database (0): '" + path + "'");
            }
            query = question < 0 ? "" : query.substring(question);
        }
        if (query.isEmpty() || query.equals("?")) {
            return mode;
        }
        for (String option : query.substring(1).split("&")) {
            int equals = option.indexOf('=');
            String name = equals < 0 ? option : option.substring(0, equals);
            String value = equals < 0 ? "" : option.substring(equals + 1);
            if (!name.equalsIgnoreCase("verifyPeer")) {
                throw new IllegalArgumentException("a Redis Cluster URI takes only verifyPeer, not '" + name + "'");
            }
            try {
                mode = io.lettuce.core.SslVerifyMode.valueOf(value.toUpperCase(java.util.Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("verifyPeer is FULL, CA or NONE, not '" + value + "'");
            }
        }
        return mode;
    }

    /** Where a URI points, for a message: its hosts, without its credentials. */
    public static String hosts(String uri) {
        String rest = uri.substring(Math.max(0, uri.indexOf("://") + 3));
        return rest.substring(rest.lastIndexOf('@') + 1);
    }

    private static int indexOfAny(String text, char a, char b) {
        int i = text.indexOf(a);
        int j = text.indexOf(b);
        return i < 0 ? j : j < 0 ? i : Math.min(i, j);
    }

    /** Percent-decoding as in a URI's user info: a {@code +} stays a plus (it is no form field). */
    private static String decode(String text) {
        try {
            return URLDecoder.decode(text.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("a Redis Cluster URI's user or password has a stray '%' (write %25)");
        }
    }
}
