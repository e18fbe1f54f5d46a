package io.realtime.gateway.socketio;

import com.corundumstudio.socketio.AckCallback;
import com.corundumstudio.socketio.protocol.AckArgs;
import com.corundumstudio.socketio.protocol.JsonSupport;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import io.netty.buffer.ByteBufInputStream;
import io.netty.buffer.ByteBufOutputStream;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * netty-socketio's JSON hook, backed by our mapper. Namespaces register here the argument types of each event
 * listener; the Socket.IO layer reads them back to convert incoming arguments.
 */
public final class GatewayJsonSupport implements JsonSupport {

    private record EventKey(String namespace, String event) {
    }

    private final ObjectMapper mapper;
    private final ObjectReader trees;
    private final Map<EventKey, List<Class<?>>> eventTypes = new ConcurrentHashMap<>();

    public GatewayJsonSupport(ObjectMapper mapper) {
        this.mapper = mapper;
        this.trees = mapper.readerFor(JsonNode.class);
    }

    public ObjectMapper mapper() {
        return mapper;
    }

    /** Reads JSON text into trees, its type resolved once here where the mapper's {@code readTree} does it per call. */
    public ObjectReader trees() {
        return trees;
    }

    /** The declared argument types of an event in a namespace (netty-socketio names: {@code ""} is the main one). */
    public List<Class<?>> eventTypes(String namespace, String event) {
        List<Class<?>> types = eventTypes.get(new EventKey(namespace, event));
        return types != null ? types : List.of();
    }

    @Override
    public void addEventMapping(String namespaceName, String eventName, Class<?>... eventClass) {
        eventTypes.put(new EventKey(namespaceName, eventName), List.of(eventClass));
    }

    @Override
    public void removeEventMapping(String namespaceName, String eventName) {
        eventTypes.remove(new EventKey(namespaceName, eventName));
    }

    @Override
    public AckArgs readAckArgs(ByteBufInputStream src, AckCallback<?> callback) throws IOException {
        List<Object> args = new ArrayList<>(Arrays.asList(mapper.readValue((InputStream) src, Object[].class)));
        return new AckArgs(args);
    }

    @Override
    public <T> T readValue(String namespaceName, ByteBufInputStream src, Class<T> valueType) throws IOException {
        return mapper.readValue((InputStream) src, valueType);
    }

    @Override
    public void writeValue(ByteBufOutputStream out, Object value) throws IOException {
        mapper.writeValue((java.io.OutputStream) out, value);
    }

    @Override
    public List<byte[]> getArrays() {
        return List.of();
    }
}
