package io.realtime.gateway.admission;

import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.ipfilter.IpFilterRuleType;
import io.netty.handler.ipfilter.IpSubnetFilterRule;
import io.netty.util.NetUtil;
import io.realtime.gateway.admission.ClientAddressOptions.ForwardedHeader;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The proxies whose forwarding header is believed, and how a request's client is read from it: the hops of the one
 * header they write ({@code X-Forwarded-For}, or {@code Forwarded} of RFC 7239) are walked from the nearest one back,
 * past every trusted proxy; the first untrusted hop is the client (anything left of it could have been written by the
 * client). The other header is never read: a proxy passes it along as the client wrote it. Only IP literals are read
 * (never a name to resolve); a hop that is not one ends the walk at the last trusted hop.
 */
public final class TrustedProxies {

    private final List<IpSubnetFilterRule> rules;
    private final ForwardedHeader header;

    private TrustedProxies(List<IpSubnetFilterRule> rules, ForwardedHeader header) {
        this.rules = rules;
        this.header = header;
    }

    /** Proxies that write {@code X-Forwarded-For}. @throws IllegalArgumentException naming a CIDR that is not one */
    public static TrustedProxies parse(List<String> cidrs) {
        return parse(cidrs, ForwardedHeader.X_FORWARDED_FOR);
    }

    /** @throws IllegalArgumentException naming a CIDR that is not one */
    public static TrustedProxies parse(List<String> cidrs, ForwardedHeader header) {
        List<IpSubnetFilterRule> rules = new ArrayList<>();
        for (String cidr : cidrs) {
            String[] parts = cidr.trim().split("/", 2);
            InetAddress address = literal(parts[0]);
            if (address == null) {
                throw new IllegalArgumentException("not a CIDR: '" + cidr + "' (expected an IP address, /prefix optional)");
            }
            int maxPrefix = address.getAddress().length * 8;
            int prefix;
            try {
                prefix = parts.length == 1 ? maxPrefix : Integer.parseInt(parts[1]);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("not a CIDR: '" + cidr + "' (bad prefix)");
            }
            if (prefix < 0 || prefix > maxPrefix) {
                throw new IllegalArgumentException("not a CIDR: '" + cidr + "' (prefix 0-" + maxPrefix + ")");
            }
            rules.add(new IpSubnetFilterRule(address, prefix, IpFilterRuleType.ACCEPT));
        }
        return new TrustedProxies(List.copyOf(rules), header);
    }

    public boolean isEmpty() {
        return rules.isEmpty();
    }

    public boolean trusts(InetSocketAddress address) {
        for (IpSubnetFilterRule rule : rules) {
            if (rule.matches(address)) {
                return true;
            }
        }
        return false;
    }

    /** The client of a request that came from {@code peer}; {@code peer} itself unless it is a trusted proxy. */
    public InetSocketAddress clientOf(InetSocketAddress peer, HttpHeaders headers) {
        if (!trusts(peer)) {
            return peer;
        }
        List<String> hops = hops(headers, header);
        InetSocketAddress client = peer;
        for (int i = hops.size() - 1; i >= 0; i--) {
            InetAddress hop = literal(hops.get(i));
            if (hop == null) {
                return client;
            }
            client = new InetSocketAddress(hop, 0);
            if (!trusts(client)) {
                return client;
            }
        }
        return client;
    }

    /** The addresses the request went through, as {@code header} names them, the original client first. */
    static List<String> hops(HttpHeaders headers, ForwardedHeader header) {
        List<String> hops = new ArrayList<>();
        if (header == ForwardedHeader.FORWARDED) {
            for (String value : headers.getAll("Forwarded")) {
                for (String element : value.split(",")) {
                    String node = "";
                    for (String pair : element.split(";")) {
                        String[] kv = pair.trim().split("=", 2);
                        if (kv.length == 2 && kv[0].trim().toLowerCase(Locale.ROOT).equals("for")) {
                            node = kv[1].trim();
                        }
                    }
                    hops.add(node);
                }
            }
            return hops;
        }
        for (String value : headers.getAll("X-Forwarded-For")) {
            for (String hop : value.split(",")) {
                hops.add(hop.trim());
            }
        }
        return hops;
    }

    /** An IP literal, unquoted, with its brackets and port removed; {@code null} when it is not one. */
    static InetAddress literal(String node) {
        String text = node.trim();
        if (text.length() >= 2 && text.startsWith("\"") && text.endsWith("\"")) {
            text = text.substring(1, text.length() - 1);
        }
        if (text.startsWith("[")) {
            int close = text.indexOf(']');
            text = close < 0 ? "" : text.substring(1, close);
        } else if (text.indexOf(':') > 0 && text.indexOf(':') == text.lastIndexOf(':')) {
            text = text.substring(0, text.indexOf(':')); // IPv4 with a port
        }
        return text.isEmpty() ? null : NetUtil.createInetAddressFromIpAddressString(text);
    }
}
