package dev.npc.daemon.config;

/**
 * A TCP address as {@code --health-tcp} takes it: {@code HOST:PORT}, an IPv6 address in brackets
 * ({@code [::1]:5432}). The host is resolved when it is checked, not here, so a name that
 * resolves only once the new system runs is fine.
 */
public record HostPort(String host, int port) {
    private static final String EXAMPLE = "write e.g. 127.0.0.1:5432, db.internal:5432 or [::1]:5432";

    /** @throws IllegalArgumentException one line naming the text and the fix */
    public static HostPort parse(String text) {
        int colon = text.lastIndexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("'" + text + "' names no port; " + EXAMPLE);
        }
        String host = text.substring(0, colon);
        String port = text.substring(colon + 1);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        } else if (host.contains(":")) {
            throw new IllegalArgumentException("'" + text + "': an IPv6 address goes in brackets; " + EXAMPLE);
        }
        if (host.isBlank() || !host.strip().equals(host)) {
            throw new IllegalArgumentException("'" + text + "' names no host; " + EXAMPLE);
        }
        if (!port.matches("[0-9]{1,5}") || Integer.parseInt(port) < 1 || Integer.parseInt(port) > 65535) {
            throw new IllegalArgumentException("'" + text + "': the port must be a number from 1 to 65535; " + EXAMPLE);
        }
        return new HostPort(host, Integer.parseInt(port));
    }

    @Override
    public String toString() {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }
}
