package io.realtime.gateway.engineio;

import com.corundumstudio.socketio.HandshakeData;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;

import java.net.InetSocketAddress;
import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;

/**
 * The handshake a connection keeps for as long as it lives (socket.io's {@code socket.handshake}: headers, query,
 * addresses, time, url, xdomain), in fewer bytes than netty-socketio's {@link HandshakeData} over a copy of Netty's
 * headers: the headers as one array of names and values, the query as an ordered array map whose keys and common
 * values ({@code EIO=4}, {@code transport=websocket}) are shared by every connection. Netty's header copy alone
 * cost an idle connection about 400 bytes, the query map about 300.
 *
 * <p>{@link #getHttpHeaders()} builds Netty headers again at each call: they are read at a namespace CONNECT (the
 * token in {@code Authorization}), by {@code fetchSockets} and by the Admin UI, never per message.
 */
public final class KeptHandshake extends HandshakeData {

    private static final long serialVersionUID = 1L;

    /** The value lists most handshakes carry, shared: Engine.IO's version and transport. */
    private static final Map<String, List<String>> COMMON_VALUES = Map.of(
            "3", List.of("3"), "4", List.of("4"), "websocket", List.of("websocket"), "polling", List.of("polling"),
            "1", List.of("1"), "true", List.of("true"));

    /**
     * Headers whose values many clients send alike (the same host, client library, browser, upgrade): those values
     * are interned, held once for every connection. Others (keys, cookies, tokens, addresses) are each their own.
     */
    private static final Set<String> COMMON_HEADERS = Set.of("host", "connection", "upgrade", "sec-websocket-version",
            "sec-websocket-extensions", "user-agent", "origin", "accept", "accept-encoding", "accept-language",
            "cache-control", "pragma", "sec-fetch-dest", "sec-fetch-mode", "sec-fetch-site", "x-forwarded-proto",
            "x-forwarded-host", "x-forwarded-port");
    /** Query keys of Engine.IO itself: a URL with no other is the same for many clients, and interned. */
    private static final Set<String> ENGINE_QUERY_KEYS = Set.of("EIO", "transport");

    /**
     * The query maps of such URLs, shared by every connection that sent the same one (80 bytes each otherwise);
     * a handful exist (EIO 3 or 4, two transports, either order), at most {@link #SHARED_QUERIES_MAX} are kept.
     */
    private static final Map<String, QueryMap> SHARED_QUERIES = new java.util.concurrent.ConcurrentHashMap<>();
    private static final int SHARED_QUERIES_MAX = 32;

    /** A handshake's auth payload until a namespace's CONNECT brings one: {@code {}}, as socket.io's. */
    private static final Map<String, Object> NO_AUTH = Map.of();

    /** Names and values, alternating, in the order the client sent them. */
    private final String[] headers;

    private KeptHandshake(String[] headers, Map<String, List<String>> query, InetSocketAddress address,
                          InetSocketAddress local, String url, boolean xdomain) {
        super(null, query, address, local, url, xdomain);
        this.headers = headers;
        setAuthToken(NO_AUTH);
    }

    /** The handshake of a request: its headers and query are copied into the compact form. */
    public static KeptHandshake of(HttpHeaders headers, Map<String, List<String>> query, InetSocketAddress address,
                                   InetSocketAddress local, String url, boolean xdomain) {
        String[] kept = new String[headers.size() * 2];
        int i = 0;
        for (Iterator<Map.Entry<CharSequence, CharSequence>> it = headers.iteratorCharSequence(); it.hasNext(); ) {
            Map.Entry<CharSequence, CharSequence> header = it.next();
            // Header names repeat across connections: interned, they are held once (and collected when unused).
            String name = header.getKey().toString().intern();
            String value = header.getValue().toString();
            kept[i++] = name;
            kept[i++] = COMMON_HEADERS.contains(name.toLowerCase(java.util.Locale.ROOT)) ? value.intern() : value;
        }
        if (!ENGINE_QUERY_KEYS.containsAll(query.keySet())) {
            return new KeptHandshake(kept, QueryMap.of(query), address, local, url, xdomain);
        }
        String shared = url.intern();
        QueryMap sharedQuery = SHARED_QUERIES.get(shared);
        if (sharedQuery == null) {
            sharedQuery = QueryMap.of(query);
            if (SHARED_QUERIES.size() < SHARED_QUERIES_MAX) {
                SHARED_QUERIES.putIfAbsent(shared, sharedQuery);
            }
        }
        return new KeptHandshake(kept, sharedQuery, address, local, shared, xdomain);
    }

    /**
     * The same handshake with another {@code auth} payload (a namespace's CONNECT), sharing headers and query; this
     * one itself for no auth ({@code {}}), which most clients send: a socket then costs no handshake of its own
     * (72 bytes with its time).
     */
    public KeptHandshake withAuth(Object auth) {
        if (isEmptyMap(auth) && isEmptyMap(getAuthToken())) {
            return this;
        }
        KeptHandshake copy = new KeptHandshake(headers, getUrlParams(), getAddress(), getLocal(), getUrl(), isXdomain());
        copy.setAuthToken(auth);
        return copy;
    }

    private static boolean isEmptyMap(Object auth) {
        return auth instanceof Map<?, ?> map && map.isEmpty();
    }

    /** A new copy of the request's headers at each call. */
    @Override
    public HttpHeaders getHttpHeaders() {
        HttpHeaders result = new DefaultHttpHeaders(false);
        for (int i = 0; i < headers.length; i += 2) {
            result.add(headers[i], headers[i + 1]);
        }
        return result;
    }

    /** An immutable map of a few entries in two arrays, in the query's order; lookups are linear. */
    static final class QueryMap extends AbstractMap<String, List<String>> implements java.io.Serializable {

        private static final long serialVersionUID = 1L;

        private final String[] keys;
        private final List<String>[] values;

        @SuppressWarnings("unchecked")
        private QueryMap(int size) {
            keys = new String[size];
            values = new List[size];
        }

        static QueryMap of(Map<String, List<String>> query) {
            QueryMap map = new QueryMap(query.size());
            int i = 0;
            for (Map.Entry<String, List<String>> entry : query.entrySet()) {
                map.keys[i] = entry.getKey().intern();
                List<String> values = entry.getValue();
                List<String> common = values.size() == 1 ? COMMON_VALUES.get(values.get(0)) : null;
                map.values[i++] = common != null ? common : List.copyOf(values);
            }
            return map;
        }

        @Override
        public List<String> get(Object key) {
            for (int i = 0; i < keys.length; i++) {
                if (keys[i].equals(key)) {
                    return values[i];
                }
            }
            return null;
        }

        @Override
        public boolean containsKey(Object key) {
            return get(key) != null;
        }

        @Override
        public int size() {
            return keys.length;
        }

        @Override
        public Set<Entry<String, List<String>>> entrySet() {
            return new AbstractSet<>() {
                @Override
                public Iterator<Entry<String, List<String>>> iterator() {
                    return new Iterator<>() {
                        private int next;

                        @Override
                        public boolean hasNext() {
                            return next < keys.length;
                        }

                        @Override
                        public Entry<String, List<String>> next() {
                            if (next >= keys.length) {
                                throw new NoSuchElementException();
                            }
                            int i = next++;
                            return new SimpleImmutableEntry<>(keys[i], values[i]);
                        }
                    };
                }

                @Override
                public int size() {
                    return keys.length;
                }
            };
        }
    }
}
